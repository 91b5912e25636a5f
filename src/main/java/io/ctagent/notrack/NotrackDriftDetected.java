package io.ctagent.notrack;

import java.time.Instant;
import java.util.List;

/**
 * Published (as a Spring application event) when the kernel has lost NOTRACK rules the agent
 * owns: after a reboot, `nft flush ruleset` or a firewall reload. The events feature turns it
 * into an agent event.
 *
 * @param netns the namespace, null for the agent's own
 * @param backend nftables or iptables
 * @param missingRuleIds the rules that were missing
 * @param restored whether reconcile re-created them
 * @param detectedAt when the drift was found
 */
public record NotrackDriftDetected(String netns, String backend, List<String> missingRuleIds, boolean restored,
                                   Instant detectedAt) {
}
