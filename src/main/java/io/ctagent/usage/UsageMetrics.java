package io.ctagent.usage;

import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Prometheus gauges and counters for the agent's own namespace, read from the sampler's latest
 * sample: a scrape never touches the kernel and agrees with the history endpoint.
 */
@Component
class UsageMetrics implements MeterBinder {

    private final UsageHistory history;

    UsageMetrics(UsageHistory history) {
        this.history = history;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "ctagent.conntrack.entries", "Entries in the connection-tracking table (nf_conntrack_count)",
                u -> u.count());
        gauge(registry, "ctagent.conntrack.limit", "Maximum entries (nf_conntrack_max)", u -> u.max());
        gauge(registry, "ctagent.conntrack.buckets", "Hash table buckets (nf_conntrack_buckets)", u -> u.buckets());
        gauge(registry, "ctagent.conntrack.usage.ratio", "Entries divided by the limit",
                u -> u.max() == 0 ? Double.NaN : (double) u.count() / u.max());
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

    private void gauge(MeterRegistry registry, String name, String description,
                       ToDoubleFunction<ConntrackUsage> field) {
        Gauge.builder(name, history, h -> h.latestOrSampleNow()
                        .map(sample -> field.applyAsDouble(sample.usage())).orElse(Double.NaN))
                .description(description).register(registry);
    }

    private void counter(MeterRegistry registry, String name, Function<StatCounters, Long> field) {
        FunctionCounter.builder("ctagent.conntrack.stat", history, h -> h.latestOrSampleNow()
                        .map(sample -> field.apply(sample.totals()))
                        .map(Long::doubleValue).orElse(Double.NaN))
                .tag("counter", name)
                .description("Kernel conntrack statistic summed over CPUs (/proc/net/stat/nf_conntrack)")
                .register(registry);
    }
}
