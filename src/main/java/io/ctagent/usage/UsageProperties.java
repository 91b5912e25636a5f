package io.ctagent.usage;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Usage levels.
 *
 * @param warnPercent usage percent of nf_conntrack_max at which the level is WARN
 * @param criticalPercent usage percent of nf_conntrack_max at which the level is CRITICAL
 */
@Validated
@ConfigurationProperties("ctagent.usage")
public record UsageProperties(
        @DefaultValue("75") @Min(1) @Max(100) int warnPercent,
        @DefaultValue("90") @Min(1) @Max(100) int criticalPercent) {

    @AssertTrue(message = "warn-percent must be below critical-percent")
    boolean isOrdered() {
        return warnPercent < criticalPercent;
    }
}
