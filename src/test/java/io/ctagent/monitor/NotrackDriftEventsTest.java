package io.ctagent.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ctagent.hostagent.HostNamespaces;
import io.ctagent.notrack.NotrackDriftDetected;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class NotrackDriftEventsTest {

    @Test
    void driftBecomesAnAgentEvent() {
        EventLog events = new EventLog(new MonitorProperties("/dev/kmsg", false, Duration.ofSeconds(1), 10),
                mock(HostNamespaces.class), Clock.systemUTC(), new SimpleMeterRegistry(), event -> { });

        new NotrackDriftEvents(events).on(new NotrackDriftDetected("lab1", "nftables", List.of("r1"), true,
                Instant.parse("2026-11-26T12:00:00Z")));

        AgentEvent event = events.latest().orElseThrow();
        assertThat(event.type()).isEqualTo(EventType.NOTRACK_DRIFT);
        assertThat(event.severity()).isEqualTo(Severity.WARNING);
        assertThat(event.message()).contains("[r1]", "nftables", "namespace lab1", "re-created");
        assertThat(event.time()).isEqualTo(Instant.parse("2026-11-26T12:00:00Z"));
    }
}
