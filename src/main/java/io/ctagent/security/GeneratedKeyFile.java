package io.ctagent.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Where the one-run admin key is handed over: a file only the agent's user can read, so the key
 * never reaches the log (which `kubectl logs` or the journal shows to others). The file is made
 * anew with mode 0600 on each start (never opened if it already exists under another owner's
 * control) and removed when the agent stops.
 */
final class GeneratedKeyFile {

    static final Path ROOT_DEFAULT = Path.of("/run/conntrack-agent/admin-key");

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
     * Writes the key (one line) to a new file created with mode 0600; a file left by an earlier run
     * is deleted first, so its owner and mode cannot carry over.
     */
    static void write(Path file, String key) {
        try {
            Files.createDirectories(file.getParent(),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.deleteIfExists(file);
            try (var out = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                out.write(java.nio.ByteBuffer.wrap((key + "\n").getBytes(StandardCharsets.US_ASCII)));
            }
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("Cannot write the generated admin key to " + file + ": a file appeared "
                    + "there while it was being replaced. Check who else writes that directory.", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the generated admin key to " + file + " (" + e.getMessage()
                    + "). Set ctagent.security.generated-key-file to a path in a directory the agent may write, "
                    + "or configure ctagent.security.api-keys.", e);
        }
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the key dies with this run anyway; a stale file holds a key nothing accepts
        }
    }
}
