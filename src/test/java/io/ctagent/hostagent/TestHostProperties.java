package io.ctagent.hostagent;

import java.time.Duration;

/** HostProperties for plain unit tests, with the defaults of application.yml. */
final class TestHostProperties {

    static final String TOOL_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private TestHostProperties() {
    }

    static HostProperties roots(String proc, String sys, String rootfs) {
        return new HostProperties(proc, sys, rootfs, HostMode.AUTO, Duration.ofSeconds(10), 1 << 20, TOOL_PATH);
    }

    static HostProperties withMode(String proc, String sys, String rootfs, HostMode mode) {
        return new HostProperties(proc, sys, rootfs, mode, Duration.ofSeconds(10), 1 << 20, TOOL_PATH);
    }

    static HostProperties runner(Duration timeout, int maxOutputBytes) {
        return new HostProperties("/proc", "/sys", "/", HostMode.AUTO, timeout, maxOutputBytes, TOOL_PATH);
    }
}
