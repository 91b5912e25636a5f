package io.ctagent.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

class NetnsMetricsTest {

    private static final long MAX = 100_000;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private NetnsMetrics metrics;

    @BeforeEach
    void bind() {
        metrics = new NetnsMetrics(new NetnsMetricsProperties(0.1, 20));
        metrics.bindTo(registry);
    }

    @Test
    void fiftyNamespacesWithEntriesGiveAtMostMaxSeriesSeriesTheFullestFirstAndTheAgentsOwn() {
        NetnsReadingsFixture host = NetnsReadingsFixture.max(MAX).own(42);
        for (int i = 1; i <= 50; i++) {
            host.pod(4026532000L + i, 10_000 + i * 100, "%064x".formatted(i));
        }

        metrics.show(host.build());

        List<String> entries = lines("ctagent_netns_conntrack_entries{");
        assertThat(entries).hasSize(20);
        assertThat(lines("ctagent_netns_conntrack_usage_ratio{")).hasSize(20);
        // The agent's own (below the share) plus the 19 fullest: 4026532050 down to 4026532032.
        assertThat(entries).anyMatch(line -> line.contains("inode=\"4026531840\"") && line.endsWith(" 42.0"));
        assertThat(entries).anyMatch(line -> line.contains("inode=\"4026532050\"") && line.endsWith(" 15000.0")
                && line.contains("container=\"%064x\"".formatted(50)));
        assertThat(entries).anyMatch(line -> line.contains("inode=\"4026532032\""));
        assertThat(entries).noneMatch(line -> line.contains("inode=\"4026532031\""));
        assertThat(lines("ctagent_netns_conntrack_usage_ratio{")).anyMatch(line ->
                line.contains("inode=\"4026532050\"") && line.endsWith(" 0.15"));
    }

    @Test
    void aNamespaceThatWentAwayOrFellBelowTheShareLosesItsSeries() {
        metrics.show(NetnsReadingsFixture.max(MAX).own(5).named(4026532100L, "ctlab-a", 92_000, 0)
                .named(4026532101L, "ctlab-b", 20_000, 0).build());
        assertThat(lines("ctagent_netns_conntrack_entries{")).hasSize(3);

        metrics.show(NetnsReadingsFixture.max(MAX).own(5).named(4026532101L, "ctlab-b", 9_999, 0).build());

        assertThat(lines("ctagent_netns_conntrack_entries{")).singleElement().asString()
                .contains("inode=\"4026531840\"", "netns=\"\"");
        assertThat(lines("ctagent_netns_conntrack_usage_ratio{")).hasSize(1);
        assertThat(registry.scrape()).doesNotContain("ctlab-a");
    }

    @Test
    void theFullestRatioNamesTheFullestNamespaceWhateverItsShare() {
        metrics.show(NetnsReadingsFixture.max(MAX).own(5).named(4026532100L, "ctlab-a", 92_000, 0).build());
        assertThat(lines("ctagent_conntrack_fullest_usage_ratio{")).singleElement().asString()
                .contains("netns=\"ctlab-a\"", "inode=\"4026532100\"").endsWith(" 0.92");

        metrics.show(NetnsReadingsFixture.max(MAX).own(5).named(4026532101L, "ctlab-b", 7, 0).build());
        assertThat(lines("ctagent_conntrack_fullest_usage_ratio{")).singleElement().asString()
                .contains("netns=\"ctlab-b\"", "inode=\"4026532101\"");
        assertThat(lines("ctagent_netns_conntrack_entries{")).singleElement().asString()
                .contains("inode=\"4026531840\"");
    }

    @Test
    void aSeriesCapOfOneStillKeepsTheAgentsOwn() {
        metrics = new NetnsMetrics(new NetnsMetricsProperties(0.1, 1));
        PrometheusMeterRegistry own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(own);

        metrics.show(NetnsReadingsFixture.max(MAX).own(5).named(4026532100L, "ctlab-a", 92_000, 0).build());

        assertThat(Arrays.stream(own.scrape().split("\n")).filter(l -> l.startsWith("ctagent_netns_conntrack_entries{")))
                .singleElement().asString().contains("inode=\"4026531840\"");
    }

    private List<String> lines(String prefix) {
        return Arrays.stream(registry.scrape().split("\n")).filter(line -> line.startsWith(prefix)).toList();
    }
}
