package io.ctagent.notrack;

import java.util.List;

import io.ctagent.net.Cidr;

/**
 * What a NOTRACK rule matches, in typed values only: this is all a renderer ever sees.
 * Null fields match anything.
 *
 * @param localDst only packets addressed to this host (namespace) itself, not ones it forwards: nft
 *        {@code fib daddr type local}, iptables {@code -m addrtype --dst-type LOCAL}. The lifeline's alone
 *        (arriving packets only); no API request or stored rule can set it
 */
record RuleSpec(Direction direction, IpFamily family, Protocol protocol, Ports dports, Ports sports,
                String iif, String oif, Cidr src, Cidr dst, boolean localDst, String comment) {

    /** A rule for any destination: every rule a caller asks for. */
    RuleSpec(Direction direction, IpFamily family, Protocol protocol, Ports dports, Ports sports, String iif,
             String oif, Cidr src, Cidr dst, String comment) {
        this(direction, family, protocol, dports, sports, iif, oif, src, dst, false, comment);
    }

    /** No protocol, port, address or interface: every packet of the family in that direction. */
    boolean matchesAllTraffic() {
        return protocol == null && dports == null && sports == null && iif == null && oif == null && src == null
                && dst == null && !localDst;
    }

    List<Hook> hooks() {
        return direction.hooks();
    }

    /** The same match; the comment does not change which packets a rule exempts. */
    boolean sameMatch(RuleSpec other) {
        return withComment(null).equals(other.withComment(null));
    }

    private RuleSpec withComment(String newComment) {
        return new RuleSpec(direction, family, protocol, dports, sports, iif, oif, src, dst, localDst, newComment);
    }
}
