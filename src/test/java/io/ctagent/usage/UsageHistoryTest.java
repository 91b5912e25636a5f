package io.ctagent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class UsageHistoryTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private final Clock clock = Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC);

    private UsageHistory history(Duration interval, Duration keep) {
        return new UsageHistory(null, new SamplerProperties(interval, keep), clock);
    }

    private static UsageSample sample(long secondsAfterT0, long count, long insert, long drop, long earlyDrop) {
        ConntrackUsage usage = new ConntrackUsage(null, count, 1000, count / 10.0, 1000, 1000L, 0, 0, 256,
                UsageLevel.OK, T0.plusSeconds(secondsAfterT0), 75, 90);
        StatCounters totals = new StatCounters(null, count, 0L, 0L, 0L, insert, 0L, drop, earlyDrop, 0L, 0L, 0L, 0L,
                0L, 0L, 0L);
        return new UsageSample(T0.plusSeconds(secondsAfterT0), usage, totals);
    }

    @Test
    void ratesArePerSecondBetweenNeighbouringSamples() {
        UsageHistory history = history(Duration.ofSeconds(5), Duration.ofHours(1));
        history.record(sample(50, 100, 1000, 0, 0));
        history.record(sample(55, 150, 1050, 25, 5));

        UsageHistoryWindow window = history.window(Duration.ofMinutes(5));

        assertThat(window.points()).hasSize(2);
        assertThat(window.points().get(0).newPerSecond()).isNull();
        HistoryPoint second = window.points().get(1);
        assertThat(second.newPerSecond()).isEqualTo(10.0);
        assertThat(second.dropPerSecond()).isEqualTo(5.0);
        assertThat(second.earlyDropPerSecond()).isEqualTo(1.0);
        assertThat(window.peakCount()).isEqualTo(150);
    }

    @Test
    void aCounterThatWentBackwardsHasNoRate() {
        UsageHistory history = history(Duration.ofSeconds(5), Duration.ofHours(1));
        history.record(sample(50, 100, 1000, 10, 0));
        history.record(sample(55, 100, 10, 0, 0));

        assertThat(history.window(Duration.ofMinutes(5)).points().get(1).newPerSecond()).isNull();
    }

    @Test
    void theWindowKeepsOnlyRecentSamples() {
        UsageHistory history = history(Duration.ofSeconds(5), Duration.ofHours(1));
        history.record(sample(0, 1, 0, 0, 0));
        history.record(sample(45, 2, 0, 0, 0));
        history.record(sample(50, 3, 0, 0, 0));

        assertThat(history.window(Duration.ofSeconds(15)).points()).extracting(HistoryPoint::count)
                .containsExactly(2L, 3L);
    }

    @Test
    void theRingBufferDropsTheOldestBeyondHistoryOverInterval() {
        UsageHistory history = history(Duration.ofSeconds(10), Duration.ofSeconds(30));
        for (int i = 0; i < 10; i++) {
            history.record(sample(i, i, 0, 0, 0));
        }

        assertThat(history.window(Duration.ofHours(1)).points()).extracting(HistoryPoint::count)
                .containsExactly(6L, 7L, 8L, 9L);
        assertThat(history.latest()).get().extracting(s -> s.usage().count()).isEqualTo(9L);
    }
}
