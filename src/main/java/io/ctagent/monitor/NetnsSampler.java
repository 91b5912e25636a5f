package io.ctagent.monitor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import io.ctagent.monitor.NetnsInventory.NetnsReading;
import io.ctagent.monitor.NetnsInventory.NetnsReadings;
import io.ctagent.usage.FullestNamespace;
import io.ctagent.usage.FullestNamespaceFinder;
import io.ctagent.usage.SamplerProperties;
import io.ctagent.usage.StatCounters;
import io.ctagent.usage.UsageLevel;
import io.ctagent.usage.UsageProperties;

/**
 * Samples every namespace's count with the same interval and history window as the agent's own
 * (ctagent.monitor.interval / history): one {@link NetnsInventory} pass per interval. The usage
 * endpoint's fullest namespace, the health level, the per-namespace metrics and the namespace
 * history all read these samples, so a scrape or a health probe never walks /proc itself.
 */
@Component
public class NetnsSampler implements FullestNamespaceFinder {

    private static final Logger log = LoggerFactory.getLogger(NetnsSampler.class);

    private final NetnsInventory inventory;
    private final SamplerProperties sampling;
    private final UsageProperties levels;
    private final NetnsMetrics metrics;
    private final Clock clock;
    private final Deque<NetnsSample> samples = new ArrayDeque<>();
    private final int capacity;
    private volatile Latest latest;

    NetnsSampler(NetnsInventory inventory, SamplerProperties sampling, UsageProperties levels, NetnsMetrics metrics,
                 Clock clock) {
        this.inventory = inventory;
        this.sampling = sampling;
        this.levels = levels;
        this.metrics = metrics;
        this.clock = clock;
        this.capacity = sampling.capacity();
    }

    /** Synchronized: the first reader may sample while the scheduler does; rates need one previous pass. */
    @Scheduled(fixedDelayString = "${ctagent.monitor.interval:5s}", initialDelay = 0)
    synchronized void sample() {
        try {
            record(Instant.now(clock), inventory.readings());
        } catch (RuntimeException e) {
            // Conntrack not loaded or /proc unreadable: keep serving, try again next interval.
            log.debug("namespace sample skipped: {}", e.getMessage());
        }
    }

    synchronized void record(Instant time, NetnsReadings readings) {
        Latest previous = latest;
        List<NetnsReading> counted = readings.namespaces().stream().filter(n -> n.summary().count() != null).toList();
        long[] inodes = new long[counted.size()];
        long[] counts = new long[counted.size()];
        for (int i = 0; i < counted.size(); i++) {
            inodes[i] = counted.get(i).summary().inode();
            counts[i] = counted.get(i).summary().count();
        }
        Map<Long, StatCounters> totals = new HashMap<>();
        readings.namespaces().forEach(n -> {
            if (n.totals() != null) {
                totals.put(n.summary().inode(), n.totals());
            }
        });
        NetnsSummary fullest = counted.isEmpty() ? null : counted.get(0).summary();
        NetnsSample sample = new NetnsSample(time, readings.max(), inodes, counts,
                fullest == null ? null : fullest.name(),
                rate(previous, time, totals, StatCounters::drop),
                rate(previous, time, totals, StatCounters::earlyDrop),
                rate(previous, time, totals, StatCounters::insertFailed));
        latest = new Latest(time, readings, totals, fullestOf(readings, levels).orElse(null));
        synchronized (samples) {
            samples.addLast(sample);
            while (samples.size() > capacity) {
                samples.removeFirst();
            }
        }
        metrics.show(readings);
    }

    /** Computed once per pass: the usage endpoint asks on every read. */
    @Override
    public Optional<FullestNamespace> fullest() {
        return latestOrSampleNow().map(Latest::fullest);
    }

    private Optional<Latest> latestOrSampleNow() {
        if (latest == null) {
            sample();
        }
        return Optional.ofNullable(latest);
    }

    static Optional<FullestNamespace> fullestOf(NetnsReadings readings, UsageProperties levels) {
        return readings.namespaces().stream().filter(n -> n.summary().count() != null).findFirst()
                .map(NetnsReading::summary)
                .map(n -> {
                    double percent = n.usagePercent() == null ? 0 : n.usagePercent();
                    return new FullestNamespace(n.name(), n.inode(), n.own(), n.count(), percent,
                            UsageLevel.of(percent, levels), n.processCount(),
                            n.processes().stream().map(p -> new FullestNamespace.NamespaceProcess(p.pid(), p.command()))
                                    .toList(),
                            n.processes().stream().map(NetnsSummary.ProcessSummary::containerId)
                                    .filter(Objects::nonNull).findFirst().orElse(null));
                });
    }

    /** Samples of the last {@code window}; with an inode, each point also carries that namespace's count. */
    public NetnsHistoryWindow window(Duration window, Long inode) {
        Instant since = Instant.now(clock).minus(window);
        List<NetnsSample> recent;
        synchronized (samples) {
            recent = samples.stream().filter(s -> !s.time().isBefore(since)).toList();
        }
        List<NetnsHistoryPoint> points = new ArrayList<>(recent.size());
        for (NetnsSample s : recent) {
            boolean any = s.inodes().length > 0;
            points.add(new NetnsHistoryPoint(s.time(), s.max(), s.inodes().length,
                    any ? s.inodes()[0] : null, s.fullestName(), any ? s.counts()[0] : null,
                    any && s.max() > 0 ? Math.round(10000.0 * s.counts()[0] / s.max()) / 100.0 : null,
                    inode == null ? null : s.countOf(inode),
                    s.dropPerSecond(), s.earlyDropPerSecond(), s.insertFailedPerSecond()));
        }
        return new NetnsHistoryWindow(window, sampling.interval(), inode, points);
    }

    public SamplerProperties properties() {
        return sampling;
    }

    /**
     * Per-second rate of a counter summed over the namespaces seen in both passes. A namespace that
     * appeared or went away, or whose counter went backwards, adds nothing rather than a false spike.
     */
    static Double rate(Latest previous, Instant now, Map<Long, StatCounters> current,
                       Function<StatCounters, Long> counter) {
        if (previous == null) {
            return null;
        }
        double seconds = Duration.between(previous.time(), now).toMillis() / 1000.0;
        if (seconds <= 0) {
            return null;
        }
        long sum = 0;
        boolean any = false;
        for (Map.Entry<Long, StatCounters> entry : current.entrySet()) {
            StatCounters before = previous.totals().get(entry.getKey());
            if (before == null) {
                continue;
            }
            Long was = counter.apply(before);
            Long is = counter.apply(entry.getValue());
            if (was != null && is != null && is >= was) {
                sum += is - was;
                any = true;
            }
        }
        return any ? Math.round(sum / seconds * 100.0) / 100.0 : null;
    }

    record Latest(Instant time, NetnsReadings readings, Map<Long, StatCounters> totals, FullestNamespace fullest) {
    }

    /** One kept sample: counts of every namespace by inode (fullest first) in two compact arrays. */
    record NetnsSample(Instant time, long max, long[] inodes, long[] counts, String fullestName,
                       Double dropPerSecond, Double earlyDropPerSecond, Double insertFailedPerSecond) {

        Long countOf(long inode) {
            for (int i = 0; i < inodes.length; i++) {
                if (inodes[i] == inode) {
                    return counts[i];
                }
            }
            return null;
        }
    }
}
