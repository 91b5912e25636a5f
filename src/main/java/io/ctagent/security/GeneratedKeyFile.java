package io.ctagent.security;

import java.nio.file.Path;

import io.ctagent.hostagent.StateFiles;
import io.ctagent.problem.OperatorProblem;

/**
 * Where the one-run admin key is handed over: a file only the agent's user can read, so the key
 * never reaches the log (which `kubectl logs` or the journal shows to others). The file is made
 * anew with mode 0600 on each start and removed when the agent stops.
 */
final class GeneratedKeyFile {

    static final Path ROOT_DEFAULT = Path.of("/run/conntrack-agent/admin-key");

    private static final StateFiles FILES = new StateFiles();

    private GeneratedKeyFile() {
    }

    /** The configured path, else /run/conntrack-agent/admin-key for root, else a per-user state directory. */
    static Path path(String configured, boolean root) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.strip()).toAbsolutePath();
        }
        if (root) {
            return ROOT_DEFAULT;
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        String state = System.getenv("XDG_STATE_HOME");
        Path base = runtime != null && !runtime.isBlank() ? Path.of(runtime)
                : state != null && !state.isBlank() ? Path.of(state)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("conntrack-agent").resolve("admin-key");
    }

    /**
     * Writes the key (one line) as the agent writes its state files: a new file of mode 0600 renamed
     * over any file left by an earlier run, so that file's owner and mode cannot carry over.
     */
    static void write(Path file, String key) {
        try {
            FILES.write(file, key + "\n");
        } catch (OperatorProblem e) {
            throw new IllegalStateException("Cannot write the generated admin key to " + file + " ("
                    + e.getBody().getDetail() + "). Set ctagent.security.generated-key-file to a path in a directory "
                    + "the agent may write, or configure ctagent.security.api-keys.", e);
        }
    }

    static void delete(Path file) {
        try {
            FILES.delete(file);
        } catch (OperatorProblem ignored) {
            // the key dies with this run anyway; a stale file holds a key nothing accepts
        }
    }
}
