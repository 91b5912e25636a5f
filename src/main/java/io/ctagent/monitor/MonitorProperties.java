package io.ctagent.monitor;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Incident detection.
 *
 * @param kmsgPath the kernel log device
 * @param kmsgReplay also report conntrack messages logged before the agent started
 * @param kmsgRetry how long to wait before opening the kernel log again after it failed
 * @param events how many events are kept in memory
 */
@ConfigurationProperties("ctagent.monitor")
public record MonitorProperties(
        @DefaultValue("/dev/kmsg") String kmsgPath,
        @DefaultValue("false") boolean kmsgReplay,
        @DefaultValue("30s") Duration kmsgRetry,
        @DefaultValue("1000") int events) {

    Path kmsg() {
        return Path.of(kmsgPath);
    }
}
