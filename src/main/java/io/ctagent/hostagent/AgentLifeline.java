package io.ctagent.hostagent;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The agent's lifeline as GET /api/v1/agent shows it: the NOTRACK exemption of its own API
 * traffic, so it answers while the conntrack table is full. Implemented where NOTRACK rules live.
 */
public interface AgentLifeline {

    LifelineStatus status();

    /**
     * @param enabled the value of ctagent.lifeline.enabled
     * @param installed whether the rule is in the kernel now
     * @param ports the listening ports it exempts
     * @param backend nftables or iptables
     * @param reason why it is not installed, or null when it is
     * @param ruleToAdd a firewall rule that would make it safe to install, when the firewall is why not
     */
    record LifelineStatus(boolean enabled, boolean installed, List<Integer> ports, @Nullable String backend,
                  @Nullable String reason, @Nullable String ruleToAdd) {
    }
}
