package io.ctagent.monitor;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.ctagent.problem.ConfigChecks;

/**
 * Which namespaces get their own Prometheus series. Pods come and go, so a series per namespace
 * is bounded: only namespaces that hold a real share of the global max, fullest first.
 *
 * @param minShare a namespace gets series once its count is at least this share of nf_conntrack_max
 *                 (0.1 = 10 %); the agent's own namespace always has them
 * @param maxSeries at most this many namespaces get series (the agent's own included), fullest first
 */
@ConfigurationProperties("ctagent.monitor.netns-metrics")
public record NetnsMetricsProperties(
        @DefaultValue("0.1") double minShare,
        @DefaultValue("20") int maxSeries) {

    public NetnsMetricsProperties {
        ConfigChecks.check(minShare >= 0 && minShare <= 1, "ctagent.monitor.netns-metrics.min-share",
                "must be between 0 and 1 (a share of nf_conntrack_max)");
        ConfigChecks.between("ctagent.monitor.netns-metrics.max-series", maxSeries, 1, 1000);
    }
}
