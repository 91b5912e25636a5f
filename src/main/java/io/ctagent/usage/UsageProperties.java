package io.ctagent.usage;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.ctagent.problem.ConfigChecks;

/**
 * Usage levels.
 *
 * @param warnPercent usage percent of nf_conntrack_max at which the level is WARN
 * @param criticalPercent usage percent of nf_conntrack_max at which the level is CRITICAL
 */
@ConfigurationProperties("ctagent.usage")
public record UsageProperties(
        @DefaultValue("75") int warnPercent,
        @DefaultValue("90") int criticalPercent) {

    public UsageProperties {
        ConfigChecks.between("ctagent.usage.warn-percent", warnPercent, 1, 100);
        ConfigChecks.between("ctagent.usage.critical-percent", criticalPercent, 1, 100);
        ConfigChecks.check(warnPercent < criticalPercent, "ctagent.usage.warn-percent",
                "must be below ctagent.usage.critical-percent");
    }
}
