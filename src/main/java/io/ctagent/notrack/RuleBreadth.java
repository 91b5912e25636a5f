package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.ctagent.net.Cidr;

/**
 * How much traffic one NOTRACK rule exempts, judged by what it names rather than how it looks: a
 * rule is narrow only when at least one field narrows it: dports or sports naming at most
 * {@code maxPorts} ports, an address prefix of at least {@code minPrefixV4} / {@code minPrefixV6}
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

    /** The fields that narrow the rule; empty when it is broad. */
    Set<Field> narrowing(RuleSpec spec) {
        Set<Field> fields = EnumSet.noneOf(Field.class);
        if (narrow(spec.src())) {
            fields.add(Field.SRC);
        }
        if (narrow(spec.dst())) {
            fields.add(Field.DST);
        }
        if (narrow(spec.sports())) {
            fields.add(Field.SPORTS);
        }
        if (narrow(spec.dports())) {
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
        for (Ports ports : new Ports[] {spec.dports(), spec.sports()}) {
            if (ports != null) {
                seen.add((ports == spec.dports() ? "dports " : "sports ") + ports + " names " + ports.count()
                        + " ports, more than the " + maxPorts + " that narrow a rule");
            }
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
        return Optional.of("Breadth: this rule names no dports or sports of at most " + maxPorts
                + " ports, no address prefix of at least /" + minPrefixV4 + " (IPv4) or /" + minPrefixV6
                + " (IPv6) and no interface lo (" + what + "), so it exempts broad traffic from connection tracking "
                + "and breaks NAT and stateful filtering for it. Narrow it with dports or sports of at most "
                + maxPorts + " ports, a src or dst of at least /" + minPrefixV4 + " (IPv4) or /" + minPrefixV6
                + " (IPv6), or iif or oif lo.");
    }

    /** The shortest prefix that narrows a rule of this family. */
    int minPrefix(IpFamily family) {
        return family == IpFamily.IPV6 ? minPrefixV6 : minPrefixV4;
    }

    private boolean narrow(Cidr cidr) {
        return cidr != null && cidr.prefix() >= minPrefix(IpFamily.of(cidr.family()));
    }

    private boolean narrow(Ports ports) {
        return ports != null && ports.count() <= maxPorts;
    }
}
