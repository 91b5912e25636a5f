package io.ctagent.tuning;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Limits for tuning.
 *
 * @param maxMemoryPercent the share of MemTotal that a full conntrack table (nf_conntrack_max x the
 *                         entry object size) may take before a change needs force; also the memory
 *                         budget of GET /api/v1/tuning/recommendation
 */
@Validated
@ConfigurationProperties("ctagent.tuning")
public record TuningProperties(@DefaultValue("10") @Min(1) @Max(90) int maxMemoryPercent) {
}
