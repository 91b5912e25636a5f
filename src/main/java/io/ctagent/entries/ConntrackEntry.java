package io.ctagent.entries;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One connection-tracking entry, from /proc/net/nf_conntrack or `conntrack -L -o extended`.
 *
 * @param family ipv4 or ipv6
 * @param protocol the layer-4 protocol name (tcp, udp, icmp, ...), or "unknown"
 * @param protocolNumber the layer-4 protocol number
 * @param timeout seconds until the entry expires unless traffic refreshes it
 * @param state the protocol state (TCP: ESTABLISHED, TIME_WAIT, ...; SCTP, DCCP), null for stateless protocols
 * @param original the tuple of the direction that opened the connection
 * @param reply the tuple the replies carry (differs from the original under NAT)
 * @param status UNREPLIED or SEEN_REPLY, then ASSURED, OFFLOAD or HW_OFFLOAD when set
 * @param mark the connection mark (ctmark), null when the kernel does not print one
 * @param zone the conntrack zone, 0 when none is printed
 * @param use the reference count the kernel prints
 */
public record ConntrackEntry(String family, String protocol, int protocolNumber, long timeout,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String state,
                             Tuple original, Tuple reply, List<String> status,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Long mark, int zone,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Long use) {

    /**
     * One direction of a connection. Ports for tcp, udp, udplite, sctp and dccp; type, code and id for
     * icmp and icmpv6; packets and bytes only when accounting (nf_conntrack_acct) is on.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Tuple(String src, String dst, Integer sport, Integer dport, Integer type, Integer code,
                        Integer id, Long packets, Long bytes) {
    }
}
