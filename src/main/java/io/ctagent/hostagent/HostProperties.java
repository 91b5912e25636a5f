package io.ctagent.hostagent;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the host is and how the agent may touch it. Roots are strings, not Paths: Spring would
 * resolve "/" as a web resource.
 *
 * @param procRoot where the host's /proc is mounted (a container mounts it at /host/proc)
 * @param sysRoot where the host's /sys is mounted
 * @param rootfs where the host's root file system is (etc/sysctl.d, etc/modprobe.d, run/netns)
 * @param mode auto, direct, sudo or dry-run
 * @param commandTimeout how long a host command may run before it is killed
 * @param maxOutputBytes how much of a command's stdout and of its stderr is kept
 * @param toolPath directories searched, in order, for the host binaries at start-up (colon-separated)
 */
@ConfigurationProperties("ctagent.host")
public record HostProperties(
        @DefaultValue("/proc") String procRoot,
        @DefaultValue("/sys") String sysRoot,
        @DefaultValue("/") String rootfs,
        @DefaultValue("auto") HostMode mode,
        @DefaultValue("10s") Duration commandTimeout,
        @DefaultValue("1048576") int maxOutputBytes,
        @DefaultValue("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") String toolPath) {
}
