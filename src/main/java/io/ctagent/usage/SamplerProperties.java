package io.ctagent.usage;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How often usage and statistics are sampled, and how much history is kept.
 *
 * @param interval time between two samples
 * @param history how far back samples are kept (a ring buffer of history / interval samples)
 */
@ConfigurationProperties("ctagent.monitor")
public record SamplerProperties(
        @DefaultValue("5s") Duration interval,
        @DefaultValue("1h") Duration history) {

    public int capacity() {
        return (int) Math.max(2, history.toMillis() / Math.max(1, interval.toMillis()) + 1);
    }
}
