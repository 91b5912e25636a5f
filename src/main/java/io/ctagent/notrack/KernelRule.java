package io.ctagent.notrack;

/**
 * One copy of an owned rule as found in the kernel.
 *
 * @param id the rule id from its "ctagent:&lt;id&gt;" comment
 * @param location where it sits, e.g. "inet conntrack_agent output" or "iptables raw CTAGENT-NOTRACK-OUTPUT"
 * @param handle the nft rule handle, or the 1-based rule number in the iptables chain
 * @param packets packets that matched (and were exempted) so far
 * @param bytes bytes that matched so far
 */
public record KernelRule(String id, String location, long handle, long packets, long bytes) {
}
