package io.ctagent.monitor;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.ctagent.problem.ConfigChecks;

/**
 * Live event streams (GET /api/v1/events/stream).
 *
 * @param maxStreams how many streams may be open at once; one more is answered 503 with Retry-After
 * @param idleTimeout a stream that has carried nothing for this long is ended (clients such as
 *                    EventSource reconnect, with Last-Event-ID, and miss nothing): a client that went
 *                    away without closing does not hold its slot for ever
 */
@ConfigurationProperties("ctagent.events")
public record EventsProperties(
        @DefaultValue("16") int maxStreams,
        @DefaultValue("5m") Duration idleTimeout) {

    public EventsProperties {
        ConfigChecks.between("ctagent.events.max-streams", maxStreams, 1, 1000);
        ConfigChecks.required("ctagent.events.idle-timeout", idleTimeout);
    }

    static EventsProperties defaults() {
        return new EventsProperties(16, Duration.ofMinutes(5));
    }
}
