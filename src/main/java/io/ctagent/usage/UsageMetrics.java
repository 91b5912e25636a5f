package io.ctagent.usage;

import java.time.Duration;
import java.util.function.ToLongFunction;

import org.springframework.stereotype.Component;

import io.ctagent.hostagent.NetnsTarget;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Prometheus gauges for the agent's own namespace and counters for the kernel statistics.
 * One scrape reads the kernel files once: values are taken from a snapshot at most a second old.
 */
@Component
class UsageMetrics implements MeterBinder {

    private static final Duration MAX_AGE = Duration.ofSeconds(1);

    private final UsageService usage;
    private volatile Snapshot snapshot;

    UsageMetrics(UsageService usage) {
        this.usage = usage;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("ctagent.conntrack.entries", this, m -> m.usageValue(u -> u.count()))
                .description("Entries in the connection-tracking table (nf_conntrack_count)").register(registry);
        Gauge.builder("ctagent.conntrack.limit", this, m -> m.usageValue(u -> u.max()))
                .description("Maximum entries (nf_conntrack_max)").register(registry);
        Gauge.builder("ctagent.conntrack.buckets", this, m -> m.usageValue(u -> u.buckets()))
                .description("Hash table buckets (nf_conntrack_buckets)").register(registry);
        Gauge.builder("ctagent.conntrack.usage.ratio", this, UsageMetrics::usageRatio)
                .description("Entries divided by the limit").register(registry);
        counter(registry, "found", StatCounters::found);
        counter(registry, "invalid", StatCounters::invalid);
        counter(registry, "insert", StatCounters::insert);
        counter(registry, "insert_failed", StatCounters::insertFailed);
        counter(registry, "drop", StatCounters::drop);
        counter(registry, "early_drop", StatCounters::earlyDrop);
        counter(registry, "icmp_error", StatCounters::icmpError);
        counter(registry, "search_restart", StatCounters::searchRestart);
        counter(registry, "clash_resolve", StatCounters::clashResolve);
    }

    private void counter(MeterRegistry registry, String name, java.util.function.Function<StatCounters, Long> field) {
        FunctionCounter.builder("ctagent.conntrack.stat", this, m -> {
                    Snapshot current = m.current();
                    Long value = current.stats == null ? null : field.apply(current.stats.totals());
                    return value == null ? Double.NaN : value;
                })
                .tag("counter", name)
                .description("Kernel conntrack statistic summed over CPUs (/proc/net/stat/nf_conntrack)")
                .register(registry);
    }

    private double usageValue(ToLongFunction<ConntrackUsage> field) {
        ConntrackUsage current = current().usage;
        return current == null ? Double.NaN : field.applyAsLong(current);
    }

    private double usageRatio() {
        ConntrackUsage current = current().usage;
        return current == null || current.max() == 0 ? Double.NaN : (double) current.count() / current.max();
    }

    private Snapshot current() {
        Snapshot current = snapshot;
        long now = System.nanoTime();
        if (current == null || now - current.takenAt > MAX_AGE.toNanos()) {
            current = take(now);
            snapshot = current;
        }
        return current;
    }

    private Snapshot take(long now) {
        try {
            return new Snapshot(now, usage.usage(NetnsTarget.OWN), usage.stats(NetnsTarget.OWN));
        } catch (RuntimeException notLoaded) {
            // Conntrack not loaded or unreadable: the scrape shows NaN rather than failing.
            return new Snapshot(now, null, null);
        }
    }

    private record Snapshot(long takenAt, ConntrackUsage usage, ConntrackStats stats) {
    }
}
