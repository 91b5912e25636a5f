package io.ctagent.hostagent;

/** How the agent is configured to reach the host (`ctagent.host.mode`). */
public enum HostMode {
    /** Direct as root, else sudo when `sudo -n true` works, else read-only. */
    AUTO,
    /** The process writes /proc/sys and /sys and runs tools itself. */
    DIRECT,
    /** Every privileged action is `sudo -n <absolute path> <args>`. */
    SUDO,
    /** Mutations are validated, audited and answered with what would be done, without doing it. */
    DRY_RUN
}
