package io.ctagent.remediation;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Unattended remediation: on the first table-full event (any namespace) or a rising drop counter,
 * raise the global nf_conntrack_max within a budget, without waiting for a caller.
 *
 * @param enabled off by default: the operator decides that the agent may change max by itself
 * @param stepFactor the new max is the current one times this, capped at the ceiling
 * @param maxCeiling the highest max it will set; unset means the memory budget of the tuning recommendation
 * @param cooldown at most one change per this period
 * @param persist also write the new max to the managed sysctl.d drop-in (default: runtime only)
 * @param dropCheckInterval how often the agent's own namespace's drop counter is compared (the kernel log
 *        is followed as it is written)
 */
@ConfigurationProperties("ctagent.remediation")
public record RemediationProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("2") double stepFactor,
        Long maxCeiling,
        @DefaultValue("60s") Duration cooldown,
        @DefaultValue("false") boolean persist,
        @DefaultValue("1s") Duration dropCheckInterval) {

    public RemediationProperties {
        if (stepFactor <= 1 || stepFactor > 16) {
            throw new IllegalArgumentException("ctagent.remediation.step-factor must be above 1 and at most 16, not "
                    + stepFactor);
        }
        if (maxCeiling != null && maxCeiling < 1) {
            throw new IllegalArgumentException("ctagent.remediation.max-ceiling must be positive");
        }
    }
}
