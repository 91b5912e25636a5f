package io.ctagent.entries;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnySetter;

import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A filter as the client sent it: text, from query parameters or a JSON body. {@link EntryFilter#parse}
 * turns it into typed values or a 400 naming the field. Every field narrows; none widens.
 */
@Schema(description = "Entry filter; every given field must match (AND). Absent fields match anything.")
public record FilterParams(
        @Parameter(description = "ipv4 or ipv6") @Schema(example = "ipv4") String family,
        @Parameter(description = "tcp, udp, udplite, icmp, icmpv6, sctp, dccp, gre or a number 0-255")
        @Schema(example = "udp") String protocol,
        @Parameter(description = "a TCP state: NONE, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, "
                + "LAST_ACK, TIME_WAIT, CLOSE, SYN_SENT2 (implies protocol tcp)") String state,
        @Parameter(description = "original source address or CIDR") @Schema(example = "10.0.0.0/8") String src,
        @Parameter(description = "original destination address or CIDR") String dst,
        @Parameter(description = "reply source address or CIDR") String replySrc,
        @Parameter(description = "reply destination address or CIDR") String replyDst,
        @Parameter(description = "original source port 1-65535") String sport,
        @Parameter(description = "original destination port 1-65535") @Schema(example = "53") String dport,
        @Parameter(description = "conntrack zone 0-65535") String zone,
        @Parameter(description = "connection mark value[/mask], decimal or 0x hex") String mark,
        @Parameter(description = "comma-separated status bits that must all be set: SEEN_REPLY, UNREPLIED, "
                + "ASSURED") String status,
        @Parameter(hidden = true) @Schema(hidden = true) @JsonAnySetter Map<String, Object> unknown) {

    static final FilterParams NONE = new FilterParams(null, null, null, null, null, null, null, null, null, null,
            null, null, null);

    /** The query parameter and JSON field names, in the order problems and responses list them. */
    static final java.util.List<String> NAMES = java.util.List.of("family", "protocol", "state", "src", "dst",
            "replySrc", "replyDst", "sport", "dport", "zone", "mark", "status");

    public FilterParams {
        unknown = unknown == null ? new LinkedHashMap<>() : unknown;
    }

    Map<String, String> given() {
        Map<String, String> given = new LinkedHashMap<>();
        String[] values = {family, protocol, state, src, dst, replySrc, replyDst, sport, dport, zone, mark, status};
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                given.put(NAMES.get(i), values[i]);
            }
        }
        return given;
    }
}
