package io.ctagent.notrack;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * NOTRACK rules: which backend puts them into the kernel, where the agent remembers them, and
 * how often it checks that they are still there.
 *
 * @param backend auto (nftables when nft is installed, else iptables), nftables or iptables
 * @param stateFile where the desired rules are kept across restarts and reboots (JSON)
 * @param reconcileInterval how often missing rules are re-created (after a reboot, `nft flush
 *        ruleset` or a firewall reload); 0 checks only at start-up
 */
@ConfigurationProperties("ctagent.notrack")
public record NotrackProperties(
        @DefaultValue("auto") BackendChoice backend,
        @DefaultValue("/var/lib/conntrack-agent/notrack.json") String stateFile,
        @DefaultValue("60s") Duration reconcileInterval) {

    /** The value of ctagent.notrack.backend. */
    public enum BackendChoice {
        AUTO, NFTABLES, IPTABLES
    }
}
