package io.ctagent.notrack;

import org.jspecify.annotations.Nullable;

/**
 * A rule somebody else owns that exempts traffic from tracking; shown read-only, never changed.
 *
 * @param source the tool that listed it: nft, iptables or ip6tables
 * @param location table and chain, e.g. "iptables raw PREROUTING" or "ip raw PREROUTING"
 * @param rule the rule as that tool prints it
 * @param packets its packet counter, when it has one
 * @param bytes its byte counter, when it has one
 */
public record ForeignRule(String source, String location, String rule, @Nullable Long packets, @Nullable Long bytes) {
}
