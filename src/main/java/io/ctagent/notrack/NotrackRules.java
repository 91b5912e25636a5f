package io.ctagent.notrack;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * The NOTRACK rules of one namespace.
 *
 * @param netns the namespace, null for the agent's own
 * @param backend nftables or iptables
 * @param rules the agent's own rules, with counters and whether the kernel has them
 * @param foreign other NOTRACK rules in the namespace, read-only; only with ?include=foreign
 * @param lastReconcile the last check that the kernel still has the rules, null before the first
 * @param warnings drift, left-over rules, and what could not be read
 */
public record NotrackRules(@Nullable String netns, String backend, List<RuleStatus> rules,
                           @Nullable List<ForeignRule> foreign,
                           @Nullable ReconcileReport lastReconcile, List<String> warnings) {
}
