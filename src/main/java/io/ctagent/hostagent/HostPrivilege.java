package io.ctagent.hostagent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which privileges the agent has and the mode that follows from them: the configured mode, whether the
 * process runs as root, and for AUTO whether sudo lets it run anything without a password. Detected once.
 */
record HostPrivilege(HostMode configured, EffectiveMode mode, boolean root) {

    private static final Logger log = LoggerFactory.getLogger(HostPrivilege.class);

    static HostPrivilege detect(HostMode configured, Tools tools, CommandRunner runner) {
        boolean root = runningAsRoot();
        EffectiveMode mode = switch (configured) {
            case DIRECT -> EffectiveMode.DIRECT;
            case SUDO -> EffectiveMode.SUDO;
            case DRY_RUN -> EffectiveMode.DRY_RUN;
            case AUTO -> root ? EffectiveMode.DIRECT : sudoWorks(tools, runner) ? EffectiveMode.SUDO
                    : EffectiveMode.READ_ONLY;
        };
        return new HostPrivilege(configured, mode, root);
    }

    /** True in sudo mode: privileged commands and root-only reads go through {@code sudo -n}. */
    boolean sudo() {
        return mode == EffectiveMode.SUDO;
    }

    private static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            log.warn("cannot read /proc/self/status to detect root: {}", e.getMessage());
        }
        return false;
    }

    private static boolean sudoWorks(Tools tools, CommandRunner runner) {
        Optional<Path> sudo = tools.find(Tool.SUDO);
        if (sudo.isEmpty()) {
            return false;
        }
        // -l lists what we may run without a password; it fails fast under -n when nothing is allowed.
        return runner.run(List.of(sudo.get().toString(), "-n", "-l")).succeeded();
    }
}
