package io.ctagent.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.usage.ConntrackUsage;
import io.ctagent.usage.FullestNamespace;
import io.ctagent.usage.UsageLevel;
import io.ctagent.usage.UsageService;

class ConntrackHealthIndicatorTest {

    private final UsageService usage = mock(UsageService.class);
    private final NetnsSampler namespaces = mock(NetnsSampler.class);
    private final ConntrackHealthIndicator indicator = new ConntrackHealthIndicator(usage, mock(EventLog.class),
            namespaces);

    @Test
    void aFullLabNamespaceMakesTheLevelCriticalAndIsNamedWhileTheStatusStaysUp() {
        given(usage.usage(NetnsTarget.OWN)).willReturn(own(0, UsageLevel.OK));
        given(namespaces.fullest()).willReturn(Optional.of(fullest("barslab-x", 920, 92.0, UsageLevel.CRITICAL)));

        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("level", UsageLevel.CRITICAL)
                .containsEntry("levelNetns", "barslab-x")
                .containsEntry("ownLevel", UsageLevel.OK)
                .containsEntry("count", 0L);
        assertThat(health.getDetails().get("fullest")).isInstanceOf(FullestNamespace.class);
    }

    @Test
    void whenTheAgentsOwnIsAsBadItsOwnLevelIsNamed() {
        given(usage.usage(NetnsTarget.OWN)).willReturn(own(800, UsageLevel.WARN));
        given(namespaces.fullest()).willReturn(Optional.of(fullest("pod", 790, 79.0, UsageLevel.WARN)));

        assertThat(indicator.health().getDetails()).containsEntry("level", UsageLevel.WARN)
                .containsEntry("levelNetns", "own");
    }

    @Test
    void anUnreadableInventoryLeavesTheAgentsOwnLevel() {
        given(usage.usage(NetnsTarget.OWN)).willReturn(own(10, UsageLevel.OK));
        given(namespaces.fullest()).willThrow(new IllegalStateException("proc unreadable"));

        Health health = indicator.health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("level", UsageLevel.OK).doesNotContainKey("fullest");
    }

    private static ConntrackUsage own(long count, UsageLevel level) {
        return new ConntrackUsage(null, count, 1000, count / 10.0, 256, 256L, 0, 0, 320, level, Instant.EPOCH, 75, 90);
    }

    private static FullestNamespace fullest(String name, long count, double percent, UsageLevel level) {
        return new FullestNamespace(name, 4026532281L, false, count, percent, level, 0, List.of(), null);
    }
}
