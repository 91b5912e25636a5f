package io.ctagent.tuning;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.ctagent.problem.ConfigChecks;

/**
 * Limits for tuning.
 *
 * @param maxMemoryPercent the share of MemTotal that a full conntrack table (nf_conntrack_max x the
 *                         entry object size) may take before a change needs force; also the memory
 *                         budget of GET /api/v1/tuning/recommendation
 */
@ConfigurationProperties("ctagent.tuning")
public record TuningProperties(@DefaultValue("10") int maxMemoryPercent) {

    public TuningProperties {
        ConfigChecks.between("ctagent.tuning.max-memory-percent", maxMemoryPercent, 1, 90);
    }
}
