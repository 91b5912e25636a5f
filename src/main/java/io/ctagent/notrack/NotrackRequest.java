package io.ctagent.notrack;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnySetter;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A NOTRACK rule as a client asks for it. Every field is text until {@link RuleSpecParser} has
 * turned it into a typed value; unknown fields are refused, since a misspelt "dport" would
 * otherwise silently widen the rule to every port.
 */
@Schema(description = "A NOTRACK rule to add. Fields left out match anything.")
public record NotrackRequest(
        @Schema(description = "which packets: PREROUTING (arriving), OUTPUT (sent by this host, loopback included) "
                + "or BOTH", allowableValues = {"PREROUTING", "OUTPUT", "BOTH"}, defaultValue = "BOTH")
        String direction,
        @Schema(description = "address family; default: that of src/dst, else both",
                allowableValues = {"ipv4", "ipv6", "both"})
        String family,
        @Schema(description = "transport protocol; required with ports", allowableValues = {"tcp", "udp"})
        String protocol,
        // Documented as text, the form every generated client can send; the agent also takes a JSON
        // number or an array of these (one schema per form breaks generators).
        @Schema(type = "string", description = "destination ports: a number, a range \"1000-2000\" or a list "
                + "\"53,5353\" (at most 15 slots, a range takes two); a JSON number or an array of these is "
                + "accepted too", example = "53")
        Object dports,
        @Schema(type = "string", description = "source ports, written like dports", example = "1024-65535")
        Object sports,
        @Schema(description = "input interface (PREROUTING only); a trailing '+' matches a prefix", example = "eth0")
        String iif,
        @Schema(description = "output interface (OUTPUT only); a trailing '+' matches a prefix", example = "eth0")
        String oif,
        @Schema(description = "source network in CIDR notation (a bare address is one host)", example = "10.0.0.0/8")
        String src,
        @Schema(description = "destination network in CIDR notation", example = "169.254.20.10/32")
        String dst,
        @Schema(description = "why the rule exists: letters, digits, space and _ . , : / @ + = ( ) -; at most 128",
                example = "node-local-dns")
        String comment,
        @Schema(description = "answer with the exact commands without changing anything", defaultValue = "false")
        Boolean dryRun,
        @Schema(description = "required (with the admin role) for a broad rule: one that names no dports of at most "
                + "ctagent.notrack.max-ports (1024) ports, no sports of at most 16, no address prefix of at least "
                + "ctagent.notrack.min-prefix-v4 (16) / -v6 (48) and no interface lo, or that takes the namespace's "
                + "agent rules narrowed by the same one field past 1024 ports (16 source ports) or 16 such "
                + "prefixes, or past ctagent.notrack.max-rules (64) rules",
                defaultValue = "false")
        Boolean force,
        @JsonAnySetter @Schema(hidden = true)
        Map<String, Object> unknownFields) {

    /** A request without unknown fields, e.g. rebuilt from the state file. */
    static NotrackRequest of(String direction, String family, String protocol, Object dports, Object sports,
                             String iif, String oif, String src, String dst, String comment) {
        return new NotrackRequest(direction, family, protocol, dports, sports, iif, oif, src, dst, comment, null,
                null, null);
    }

    boolean dryRunAsked() {
        return Boolean.TRUE.equals(dryRun);
    }

    boolean forceAsked() {
        return Boolean.TRUE.equals(force);
    }
}
