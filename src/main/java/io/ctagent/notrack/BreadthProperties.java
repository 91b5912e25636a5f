package io.ctagent.notrack;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.ctagent.problem.ConfigChecks;

/**
 * When a NOTRACK rule counts as broad (force and the admin role needed): the shortest address
 * prefix and the most ports that narrow a rule by themselves.
 *
 * @param minPrefixV4 an IPv4 src or dst at least this long narrows a rule (default /16)
 * @param minPrefixV6 an IPv6 src or dst at least this long narrows a rule (default /48)
 * @param maxPorts    dports or sports naming at most this many ports narrow a rule; rules narrowed by
 *                    ports alone may together name no more (default 1024)
 * @param maxRules    the agent rules a namespace may hold before one more needs force and the admin role:
 *                    rules narrowed by two fields never add up, so thousands of them could still cover a
 *                    protocol (default 64)
 */
@ConfigurationProperties("ctagent.notrack")
public record BreadthProperties(@DefaultValue("16") int minPrefixV4, @DefaultValue("48") int minPrefixV6,
                                @DefaultValue("1024") int maxPorts, @DefaultValue("64") int maxRules) {

    public BreadthProperties {
        ConfigChecks.between("ctagent.notrack.min-prefix-v4", minPrefixV4, 1, 32);
        ConfigChecks.between("ctagent.notrack.min-prefix-v6", minPrefixV6, 1, 128);
        ConfigChecks.between("ctagent.notrack.max-ports", maxPorts, 1, 65535);
        ConfigChecks.between("ctagent.notrack.max-rules", maxRules, 1, 10_000);
    }

    RuleBreadth breadth() {
        return new RuleBreadth(minPrefixV4, minPrefixV6, maxPorts);
    }
}
