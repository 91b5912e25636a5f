package io.ctagent.sysctl;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.ctagent.problem.ConfigChecks;

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
        ConfigChecks.check(BootOrder.isConfFileIn(BootOrder.SYSCTL_DIRS, persistFile),
                "ctagent.sysctl.persist-file", BootOrder.confFileRule(BootOrder.SYSCTL_DIRS));
    }

    String relativePersistFile() {
        return BootOrder.relative(persistFile);
    }
}
