package io.ctagent.sysctl;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.AssertTrue;

/**
 * Sysctl persistence.
 *
 * @param persistFile the drop-in the agent owns, as a host path under ctagent.host.rootfs; it must be
 *                    a *.conf file in one of the directories sysctl --system reads
 */
@Validated
@ConfigurationProperties("ctagent.sysctl")
public record SysctlProperties(@DefaultValue("/etc/sysctl.d/90-conntrack-agent.conf") String persistFile) {

    /** The path relative to the rootfs: etc/sysctl.d/90-conntrack-agent.conf. */
    String relativePersistFile() {
        String path = persistFile.strip();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        return path;
    }

    @AssertTrue(message = "persist-file must be a *.conf file directly in /etc/sysctl.d, /run/sysctl.d, "
            + "/usr/local/lib/sysctl.d, /usr/lib/sysctl.d or /lib/sysctl.d")
    boolean isInASysctlDirectory() {
        String path = relativePersistFile();
        int slash = path.lastIndexOf('/');
        return slash > 0 && BootOrder.SYSCTL_DIRS.contains(path.substring(0, slash))
                && path.substring(slash + 1).matches("[A-Za-z0-9_.+-]+\\.conf") && !path.contains("..");
    }
}
