package io.ctagent.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.springframework.stereotype.Component;

import io.ctagent.monitor.NetnsInventory.NetnsReadings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Prometheus series per namespace, set from each {@link NetnsSampler} pass: a scrape never touches the
 * kernel. Rows are replaced on every pass, so the series of a namespace that went away or fell below
 * ctagent.monitor.netns-metrics.min-share disappear instead of repeating their last value.
 */
@Component
class NetnsMetrics implements MeterBinder {

    private final NetnsMetricsProperties properties;
    private volatile Gauges gauges;
    private volatile NetnsReadings shown;

    NetnsMetrics(NetnsMetricsProperties properties) {
        this.properties = properties;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauges = new Gauges(
                MultiGauge.builder("ctagent.netns.conntrack.entries")
                        .description("Entries in one network namespace's conntrack table (its nf_conntrack_count)")
                        .register(registry),
                MultiGauge.builder("ctagent.netns.conntrack.usage.ratio")
                        .description("One namespace's entries divided by the global nf_conntrack_max")
                        .register(registry),
                MultiGauge.builder("ctagent.conntrack.fullest.usage.ratio")
                        .description("Entries of the namespace with the most entries on the host, divided by "
                                + "nf_conntrack_max; its labels name the namespace")
                        .register(registry));
        NetnsReadings last = shown;
        if (last != null) {
            show(last);
        }
    }

    /** Replaces every row with the namespaces of this pass. */
    void show(NetnsReadings readings) {
        shown = readings;
        Gauges target = gauges;
        if (target == null) {
            return;
        }
        List<Series> series = series(readings, properties);
        target.entries().register(series.stream()
                .map(s -> MultiGauge.Row.of(s.tags(), s.count())).toList(), true);
        target.ratio().register(series.stream()
                .map(s -> MultiGauge.Row.of(s.tags(), s.ratio())).toList(), true);
        // The fullest namespace always has this one series, whatever its share.
        target.fullest().register(readings.namespaces().stream().map(NetnsInventory.NetnsReading::summary)
                .filter(n -> n.count() != null).limit(1)
                .map(n -> Series.of(n, readings.max()))
                .map(s -> MultiGauge.Row.of(s.tags(), s.ratio())).toList(), true);
    }

    /**
     * The namespaces that get series: the agent's own, and those holding at least min-share of max,
     * fullest first, at most max-series in all (pods come and go: the label set must stay bounded).
     */
    static List<Series> series(NetnsReadings readings, NetnsMetricsProperties properties) {
        long max = readings.max();
        List<Series> chosen = new ArrayList<>();
        NetnsSummary own = readings.namespaces().stream().map(NetnsInventory.NetnsReading::summary)
                .filter(n -> n.own() && n.count() != null).findFirst().orElse(null);
        int othersAllowed = properties.maxSeries() - (own == null ? 0 : 1);
        boolean ownAdded = false;
        for (NetnsInventory.NetnsReading reading : readings.namespaces()) {
            NetnsSummary n = reading.summary();
            if (n.count() == null) {
                continue;
            }
            if (n.own()) {
                chosen.add(Series.of(n, max));
                ownAdded = true;
            } else if (othersAllowed > 0 && max > 0 && n.count() >= properties.minShare() * max && n.count() > 0) {
                chosen.add(Series.of(n, max));
                othersAllowed--;
            }
            if (othersAllowed == 0 && (own == null || ownAdded)) {
                break;
            }
        }
        return chosen;
    }

    /** One namespace's series; netns and container are empty (Prometheus: absent) when it has none. */
    record Series(String netns, long inode, String container, long count, double ratio) {

        static Series of(NetnsSummary n, long max) {
            String container = n.processes().stream().map(NetnsSummary.ProcessSummary::containerId)
                    .filter(Objects::nonNull).findFirst().orElse("");
            return new Series(n.name() == null ? "" : n.name(), n.inode(), container, n.count(),
                    max == 0 ? Double.NaN : (double) n.count() / max);
        }

        Tags tags() {
            return Tags.of("netns", netns, "inode", Long.toString(inode), "container", container);
        }
    }

    private record Gauges(MultiGauge entries, MultiGauge ratio, MultiGauge fullest) {
    }
}
