package io.ctagent.hashsize;

import io.ctagent.ConfigChecks;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

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
        ConfigChecks.check(inAModprobeDirectory(modprobeFile), "ctagent.hashsize.modprobe-file",
                "must be a *.conf file directly in /etc/modprobe.d, /run/modprobe.d, /usr/local/lib/modprobe.d, "
                        + "/lib/modprobe.d or /usr/lib/modprobe.d");
    }

    String relativeModprobeFile() {
        return relative(modprobeFile);
    }

    private static String relative(String file) {
        String path = file.strip();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        return path;
    }

    static boolean inAModprobeDirectory(String file) {
        String path = relative(file);
        int slash = path.lastIndexOf('/');
        return slash > 0 && BootOrder.MODPROBE_DIRS.contains(path.substring(0, slash))
                && path.substring(slash + 1).matches("[A-Za-z0-9_.+-]+\\.conf") && !path.contains("..");
    }
}
