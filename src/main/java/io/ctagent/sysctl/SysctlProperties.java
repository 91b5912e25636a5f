package io.ctagent.sysctl;

import io.ctagent.ConfigChecks;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Sysctl persistence.
 *
 * @param persistFile the drop-in the agent owns, as a host path under ctagent.host.rootfs; it must be
 *                    a *.conf file in one of the directories sysctl --system reads
 */
@ConfigurationProperties("ctagent.sysctl")
public record SysctlProperties(@DefaultValue("/etc/sysctl.d/90-conntrack-agent.conf") String persistFile) {

    public SysctlProperties {
        ConfigChecks.text("ctagent.sysctl.persist-file", persistFile);
        ConfigChecks.check(inASysctlDirectory(persistFile), "ctagent.sysctl.persist-file",
                "must be a *.conf file directly in /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d, "
                        + "/usr/lib/sysctl.d or /lib/sysctl.d");
    }

    /** The path relative to the rootfs: etc/sysctl.d/90-conntrack-agent.conf. */
    String relativePersistFile() {
        return relative(persistFile);
    }

    private static String relative(String file) {
        String path = file.strip();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        return path;
    }

    static boolean inASysctlDirectory(String file) {
        String path = relative(file);
        int slash = path.lastIndexOf('/');
        return slash > 0 && BootOrder.SYSCTL_DIRS.contains(path.substring(0, slash))
                && path.substring(slash + 1).matches("[A-Za-z0-9_.+-]+\\.conf") && !path.contains("..");
    }
}
