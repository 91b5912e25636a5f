package io.ctagent.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import io.ctagent.usage.FullestNamespace;
import io.ctagent.usage.SamplerProperties;
import io.ctagent.usage.UsageLevel;
import io.ctagent.usage.UsageProperties;

class NetnsSamplerTest {

    private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");
    private static final long LAB = 4026532281L;
    private static final long POD = 4026532300L;

    private final NetnsInventory inventory = mock(NetnsInventory.class);

    private NetnsSampler sampler(Duration interval, Duration history) {
        return new NetnsSampler(inventory, new SamplerProperties(interval, history), new UsageProperties(75, 90),
                new NetnsMetrics(new NetnsMetricsProperties(0.1, 20)), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void theFullestNamespaceIsNamedWithItsLevelByTheSamePercentsAsTheAgentsOwn() {
        NetnsSampler sampler = sampler(Duration.ofSeconds(5), Duration.ofHours(1));
        sampler.record(NOW, NetnsReadingsFixture.max(1000).own(3).named(LAB, "barslab-x", 920, 0)
                .pod(POD, 500, NetnsReadingsFixture.CONTAINER).build());

        FullestNamespace fullest = sampler.fullest().orElseThrow();
        assertThat(fullest.netns()).isEqualTo("barslab-x");
        assertThat(fullest.inode()).isEqualTo(LAB);
        assertThat(fullest.count()).isEqualTo(920);
        assertThat(fullest.usagePercent()).isEqualTo(92.0);
        assertThat(fullest.level()).isEqualTo(UsageLevel.CRITICAL);
        assertThat(fullest.own()).isFalse();
        assertThat(fullest.label()).isEqualTo("barslab-x");
    }

    @Test
    void anUnnamedPodIsNamedByItsInodeAndCarriesItsContainer() {
        NetnsSampler sampler = sampler(Duration.ofSeconds(5), Duration.ofHours(1));
        sampler.record(NOW, NetnsReadingsFixture.max(1000).own(3).pod(POD, 800, NetnsReadingsFixture.CONTAINER)
                .build());

        FullestNamespace fullest = sampler.fullest().orElseThrow();
        assertThat(fullest.netns()).isNull();
        assertThat(fullest.label()).isEqualTo("netns " + POD);
        assertThat(fullest.level()).isEqualTo(UsageLevel.WARN);
        assertThat(fullest.containerId()).isEqualTo(NetnsReadingsFixture.CONTAINER);
        assertThat(fullest.processes()).extracting(FullestNamespace.NamespaceProcess::command)
                .containsExactly("pause");
    }

    @Test
    void dropsAreSummedOverTheNamespacesSeenInBothSamples() {
        NetnsSampler sampler = sampler(Duration.ofSeconds(5), Duration.ofHours(1));
        sampler.record(NOW.minusSeconds(5), NetnsReadingsFixture.max(1000).own(3).named(LAB, "a", 990, 10)
                .named(POD, "b", 100, 0).build());
        // a: +20 drops, b: +5, c appeared with 100 drops already counted: not a spike.
        sampler.record(NOW, NetnsReadingsFixture.max(1000).own(3).named(LAB, "a", 1000, 30)
                .named(POD, "b", 100, 5).named(POD + 1, "c", 50, 100).build());

        NetnsHistoryWindow window = sampler.window(Duration.ofMinutes(15), POD);
        assertThat(window.points()).hasSize(2);
        assertThat(window.points().get(0).dropPerSecond()).isNull();
        NetnsHistoryPoint last = window.points().get(1);
        assertThat(last.dropPerSecond()).isEqualTo(5.0);
        assertThat(last.fullestNetns()).isEqualTo("a");
        assertThat(last.fullestInode()).isEqualTo(LAB);
        assertThat(last.fullestCount()).isEqualTo(1000);
        assertThat(last.fullestPercent()).isEqualTo(100.0);
        assertThat(last.count()).as("the count of the namespace asked for").isEqualTo(100);
        assertThat(last.namespaces()).isEqualTo(4);
    }

    @Test
    void perNamespaceCountsAreKeptForTheSameHistoryWindowAsTheAgentsOwn() {
        NetnsSampler sampler = sampler(Duration.ofSeconds(5), Duration.ofSeconds(10));
        for (int i = 4; i >= 0; i--) {
            sampler.record(NOW.minusSeconds(5L * i), NetnsReadingsFixture.max(1000).own(3)
                    .named(LAB, "a", 100 - i, 0).build());
        }

        NetnsHistoryWindow window = sampler.window(Duration.ofHours(1), LAB);
        assertThat(window.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(window.points()).extracting(NetnsHistoryPoint::count).containsExactly(98L, 99L, 100L);
    }

    @Test
    void beforeAnyScheduledSampleTheFirstAskTakesOne() {
        given(inventory.readings()).willReturn(NetnsReadingsFixture.max(1000).own(950).build());
        NetnsSampler sampler = sampler(Duration.ofSeconds(5), Duration.ofHours(1));

        FullestNamespace fullest = sampler.fullest().orElseThrow();
        assertThat(fullest.own()).isTrue();
        assertThat(fullest.level()).isEqualTo(UsageLevel.CRITICAL);
    }
}
