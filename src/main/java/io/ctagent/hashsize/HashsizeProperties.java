package io.ctagent.hashsize;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import io.ctagent.sysctl.BootOrder;
import jakarta.validation.constraints.AssertTrue;

/**
 * Hash table persistence for a loadable nf_conntrack module.
 *
 * @param modprobeFile the modprobe.d file the agent owns, as a host path under ctagent.host.rootfs;
 *                     it holds {@code options nf_conntrack hashsize=N}
 */
@Validated
@ConfigurationProperties("ctagent.hashsize")
public record HashsizeProperties(@DefaultValue("/etc/modprobe.d/conntrack-agent.conf") String modprobeFile) {

    String relativeModprobeFile() {
        String path = modprobeFile.strip();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        return path;
    }

    @AssertTrue(message = "modprobe-file must be a *.conf file directly in /etc/modprobe.d, /run/modprobe.d, "
            + "/usr/local/lib/modprobe.d, /lib/modprobe.d or /usr/lib/modprobe.d")
    boolean isInAModprobeDirectory() {
        String path = relativeModprobeFile();
        int slash = path.lastIndexOf('/');
        return slash > 0 && BootOrder.MODPROBE_DIRS.contains(path.substring(0, slash))
                && path.substring(slash + 1).matches("[A-Za-z0-9_.+-]+\\.conf") && !path.contains("..");
    }
}
