package io.ctagent.usage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.NetnsTarget;

/**
 * Samples the agent's own namespace every ctagent.monitor.interval into a ring buffer; the
 * history endpoint, the Prometheus meters and the diagnosis all read these same samples.
 */
@Component
public class UsageHistory {

    private static final Logger log = LoggerFactory.getLogger(UsageHistory.class);

    private final UsageService usage;
    private final SamplerProperties properties;
    private final Clock clock;
    private final Deque<UsageSample> samples = new ArrayDeque<>();
    private final int capacity;

    UsageHistory(UsageService usage, SamplerProperties properties, Clock clock) {
        this.usage = usage;
        this.properties = properties;
        this.clock = clock;
        this.capacity = properties.capacity();
    }

    @Scheduled(fixedDelayString = "${ctagent.monitor.interval:5s}", initialDelay = 0)
    void sample() {
        try {
            record(new UsageSample(Instant.now(clock), usage.usage(NetnsTarget.OWN),
                    usage.stats(NetnsTarget.OWN).totals()));
        } catch (RuntimeException e) {
            // Conntrack not loaded or unreadable: keep serving, try again next interval.
            log.debug("usage sample skipped: {}", e.getMessage());
        }
    }

    void record(UsageSample sample) {
        synchronized (samples) {
            samples.addLast(sample);
            while (samples.size() > capacity) {
                samples.removeFirst();
            }
        }
    }

    /** The newest sample, if any was taken. */
    public Optional<UsageSample> latest() {
        synchronized (samples) {
            return Optional.ofNullable(samples.peekLast());
        }
    }

    /** The newest sample, taking one now if none exists yet (first scrape right after start-up). */
    public Optional<UsageSample> latestOrSampleNow() {
        if (latest().isEmpty()) {
            sample();
        }
        return latest();
    }

    /** Samples of the last {@code window}, with per-second rates between neighbours. */
    public UsageHistoryWindow window(Duration window) {
        List<UsageSample> recent;
        Instant since = Instant.now(clock).minus(window);
        synchronized (samples) {
            recent = samples.stream().filter(s -> !s.time().isBefore(since)).toList();
        }
        List<HistoryPoint> points = new ArrayList<>(recent.size());
        long peak = 0;
        UsageSample previous = null;
        for (UsageSample sample : recent) {
            ConntrackUsage u = sample.usage();
            peak = Math.max(peak, u.count());
            points.add(new HistoryPoint(sample.time(), u.count(), u.max(), u.usagePercent(),
                    rate(previous, sample, StatCounters::insert), rate(previous, sample, StatCounters::drop),
                    rate(previous, sample, StatCounters::earlyDrop), rate(previous, sample, StatCounters::insertFailed)));
            previous = sample;
        }
        return new UsageHistoryWindow(window, properties.interval(), peak, points);
    }

    static Double rate(UsageSample previous, UsageSample current, Function<StatCounters, Long> counter) {
        if (previous == null) {
            return null;
        }
        Long before = counter.apply(previous.totals());
        Long after = counter.apply(current.totals());
        double seconds = Duration.between(previous.time(), current.time()).toMillis() / 1000.0;
        if (before == null || after == null || after < before || seconds <= 0) {
            return null;
        }
        return Math.round((after - before) / seconds * 100.0) / 100.0;
    }

    public SamplerProperties properties() {
        return properties;
    }
}
