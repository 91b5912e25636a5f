package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.ctagent.net.Cidr;

/**
 * How much traffic one NOTRACK rule exempts, judged by what it names rather than how it looks: a
 * rule is narrow only when at least one field narrows it: dports naming at most {@code maxPorts}
 * ports, sports naming at most {@link #maxSourcePorts()} (a source port range is the replies of every
 * service on it, to every client: sports 1-1024 untracks the answers from the web and DNS), an address prefix of at least {@code minPrefixV4} / {@code minPrefixV6}
 * bits, or the interface {@code lo}. Protocol, family and direction alone leave it broad:
 * `{"protocol": "tcp"}` exempts every TCP packet, `dports 1-65535` every port, `iif eth0` everything
 * that arrives on the uplink.
 */
record RuleBreadth(int minPrefixV4, int minPrefixV6, int maxPorts) {

    /** The one interface that narrows a rule by itself: loopback traffic never leaves the host. */
    static final String LOOPBACK = "lo";

    /** A field that can narrow a rule. */
    enum Field {
        SRC("src"), DST("dst"), SPORTS("sports"), DPORTS("dports"), IIF("iif"), OIF("oif");

        final String name;

        Field(String name) {
            this.name = name;
        }
    }

    /** The most source ports that narrow a rule: maxPorts / 64, at least 1 (16 by default). */
    int maxSourcePorts() {
        return Math.max(1, maxPorts / 64);
    }

    /** The fields that narrow the rule; empty when it is broad. */
    Set<Field> narrowing(RuleSpec spec) {
        Set<Field> fields = EnumSet.noneOf(Field.class);
        if (narrow(spec.src())) {
            fields.add(Field.SRC);
        }
        if (narrow(spec.dst())) {
            fields.add(Field.DST);
        }
        if (spec.sports() != null && spec.sports().count() <= maxSourcePorts()) {
            fields.add(Field.SPORTS);
        }
        if (spec.dports() != null && spec.dports().count() <= maxPorts) {
            fields.add(Field.DPORTS);
        }
        if (LOOPBACK.equals(spec.iif())) {
            fields.add(Field.IIF);
        }
        if (LOOPBACK.equals(spec.oif())) {
            fields.add(Field.OIF);
        }
        return fields;
    }

    /** Why the rule is broad and what would narrow it, or empty when it is narrow. */
    Optional<String> broad(RuleSpec spec) {
        if (!narrowing(spec).isEmpty()) {
            return Optional.empty();
        }
        List<String> seen = new ArrayList<>();
        if (spec.protocol() != null) {
            seen.add("protocol " + spec.protocol().value() + " alone matches every packet of that protocol");
        }
        if (spec.dports() != null) {
            seen.add("dports " + spec.dports() + " names " + spec.dports().count() + " ports, more than the "
                    + maxPorts + " that narrow a rule");
        }
        if (spec.sports() != null) {
            seen.add("sports " + spec.sports() + " names " + spec.sports().count() + " ports, more than the "
                    + maxSourcePorts() + " source ports that narrow a rule");
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
                seen.add(iface.endsWith("+") ? "interface " + iface + " is a wildcard"
                        : "interface " + iface + " is not lo, and an interface such as the uplink carries everything");
            }
        }
        String what = seen.isEmpty() ? "it names no protocol, port, address or interface" : String.join("; ", seen);
        return Optional.of("Breadth: this rule names no dports of at most " + maxPorts + " ports or sports of at "
                + "most " + maxSourcePorts() + ", no address prefix of at least /" + minPrefixV4 + " (IPv4) or /" + minPrefixV6
                + " (IPv6) and no interface lo (" + what + "), so it exempts broad traffic from connection tracking "
                + "and breaks NAT and stateful filtering for it. Narrow it with dports of at most " + maxPorts
                + " ports or sports of at most " + maxSourcePorts() + ", a src or dst of at least /" + minPrefixV4 + " (IPv4) or /" + minPrefixV6
                + " (IPv6), or iif or oif lo.");
    }

    /** The shortest prefix that narrows a rule of this family. */
    int minPrefix(IpFamily family) {
        return family == IpFamily.IPV6 ? minPrefixV6 : minPrefixV4;
    }

    private boolean narrow(Cidr cidr) {
        return cidr != null && cidr.prefix() >= minPrefix(IpFamily.of(cidr.family()));
    }
}
