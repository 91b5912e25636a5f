package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.ctagent.net.Cidr;

/**
 * How much traffic one NOTRACK rule exempts, judged by what it names rather than how it looks: a
 * rule is narrow only when it names a port or port range, an address prefix of at least
 * {@code minPrefixV4} / {@code minPrefixV6} bits, or an exact (non-wildcard) interface. Protocol,
 * family and direction alone leave it broad: `{"protocol": "tcp"}` exempts every TCP packet.
 */
record RuleBreadth(int minPrefixV4, int minPrefixV6) {

    /** Why the rule is broad and what would narrow it, or empty when it is narrow. */
    Optional<String> broad(RuleSpec spec) {
        if (spec.dports() != null || spec.sports() != null || narrow(spec.src()) || narrow(spec.dst())
                || exact(spec.iif()) || exact(spec.oif())) {
            return Optional.empty();
        }
        List<String> seen = new ArrayList<>();
        if (spec.protocol() != null) {
            seen.add("protocol " + spec.protocol().value() + " alone matches every packet of that protocol");
        }
        for (Cidr cidr : new Cidr[] {spec.src(), spec.dst()}) {
            if (cidr != null) {
                seen.add(cidr.withPrefix() + " is a /" + cidr.prefix() + ", shorter than the /"
                        + minPrefix(IpFamily.of(cidr.family()))
                        + " that narrows a rule");
            }
        }
        for (String iface : new String[] {spec.iif(), spec.oif()}) {
            if (iface != null) {
                seen.add("interface " + iface + " is a wildcard");
            }
        }
        String what = seen.isEmpty() ? "it names no protocol, port, address or interface" : String.join("; ", seen);
        return Optional.of("Breadth: this rule names no port, no address prefix of at least /" + minPrefixV4
                + " (IPv4) or /" + minPrefixV6 + " (IPv6) and no exact interface (" + what + "), so it exempts "
                + "broad traffic from connection tracking and breaks NAT and stateful filtering for it. Narrow it "
                + "with dports or sports, a src or dst of at least /" + minPrefixV4 + " (IPv4) or /" + minPrefixV6
                + " (IPv6), or an exact iif or oif.");
    }

    private boolean narrow(Cidr cidr) {
        return cidr != null && cidr.prefix() >= minPrefix(IpFamily.of(cidr.family()));
    }

    private int minPrefix(IpFamily family) {
        return family == IpFamily.IPV6 ? minPrefixV6 : minPrefixV4;
    }

    /** iptables and nft read a trailing '+' as "every interface with this prefix". */
    private static boolean exact(String iface) {
        return iface != null && !iface.endsWith("+");
    }
}
