package io.ctagent.hashsize;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.ctagent.problem.ConfigChecks;
import io.ctagent.sysctl.BootOrder;

/**
 * Hash table persistence for a loadable nf_conntrack module.
 *
 * @param modprobeFile the modprobe.d file the agent owns, as a host path under ctagent.host.rootfs;
 *                     it holds {@code options nf_conntrack hashsize=N}
 */
@ConfigurationProperties("ctagent.hashsize")
public record HashsizeProperties(@DefaultValue("/etc/modprobe.d/conntrack-agent.conf") String modprobeFile) {

    public HashsizeProperties {
        ConfigChecks.text("ctagent.hashsize.modprobe-file", modprobeFile);
        ConfigChecks.check(BootOrder.isConfFileIn(BootOrder.MODPROBE_DIRS, modprobeFile),
                "ctagent.hashsize.modprobe-file", BootOrder.confFileRule(BootOrder.MODPROBE_DIRS));
    }

    String relativeModprobeFile() {
        return BootOrder.relative(modprobeFile);
    }
}
