package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.List;

import io.ctagent.net.Cidr;
import io.ctagent.net.Family;

/**
 * Renders the nft scripts for the agent's table `inet conntrack_agent`: pure text from typed
 * values, applied by `nft -f -` as one transaction (all of it or nothing).
 */
final class NftScript {

    static final String TABLE = "conntrack_agent";
    static final String TABLE_REF = "inet " + TABLE;
    /** Addressed to this host: the destination is one of its own addresses (the local route table). */
    static final String LOCAL_DST = "fib daddr type local";

    private NftScript() {
    }

    /** Where a rule copy lives in nft terms, e.g. "inet conntrack_agent prerouting". */
    static String location(Hook hook) {
        return TABLE_REF + " " + hook.nftChain();
    }

    /** Declares the table and both chains (a no-op when they exist) and adds each rule at its hook. */
    static String add(List<Placement> placements) {
        List<String> lines = new ArrayList<>();
        lines.add("add table " + TABLE_REF);
        for (Hook hook : Hook.values()) {
            // priority raw (-300): before conntrack (-200) looks at the packet.
            lines.add("add chain " + TABLE_REF + " " + hook.nftChain() + " { type filter hook " + hook.nftChain()
                    + " priority raw; policy accept; }");
        }
        for (Placement placement : placements) {
            lines.add("add rule " + TABLE_REF + " " + placement.hook().nftChain() + " "
                    + ruleBody(placement.rule().spec(), placement.rule().tag()));
        }
        return String.join("\n", lines) + "\n";
    }

    /** Deletes rule copies by handle; only ever inside the agent's table. */
    static String delete(List<KernelRule> copies) {
        StringBuilder script = new StringBuilder();
        for (KernelRule copy : copies) {
            String chain = copy.location().substring(TABLE_REF.length() + 1);
            script.append("delete rule ").append(TABLE_REF).append(' ').append(chain)
                    .append(" handle ").append(copy.handle()).append('\n');
        }
        return script.toString();
    }

    /** The matches and statements of one rule, e.g. `udp dport 53 counter notrack comment "ctagent:ab12cd34"`. */
    static String ruleBody(RuleSpec spec, String tag) {
        List<String> parts = new ArrayList<>();
        if (spec.family() != IpFamily.BOTH && spec.src() == null && spec.dst() == null) {
            parts.add("meta nfproto " + spec.family().value());
        }
        if (spec.iif() != null) {
            parts.add("iifname \"" + wildcard(spec.iif()) + "\"");
        }
        if (spec.oif() != null) {
            parts.add("oifname \"" + wildcard(spec.oif()) + "\"");
        }
        if (spec.src() != null) {
            parts.add(addressKeyword(spec.src()) + " saddr " + spec.src().withPrefix());
        }
        if (spec.dst() != null) {
            parts.add(addressKeyword(spec.dst()) + " daddr " + spec.dst().withPrefix());
        }
        if (spec.protocol() != null) {
            String proto = spec.protocol().value();
            if (spec.sports() == null && spec.dports() == null) {
                parts.add("meta l4proto " + proto);
            }
            if (spec.sports() != null) {
                parts.add(proto + " sport " + spec.sports().nft());
            }
            if (spec.dports() != null) {
                parts.add(proto + " dport " + spec.dports().nft());
            }
        }
        if (spec.localDst()) {
            // Last: the route lookup runs only for packets that matched everything else.
            parts.add(LOCAL_DST);
        }
        parts.add("counter notrack comment \"" + tag + "\"");
        return String.join(" ", parts);
    }

    private static String addressKeyword(Cidr cidr) {
        return cidr.family() == Family.IPV4 ? "ip" : "ip6";
    }

    /** iptables writes a prefix match as "eth+", nft as "eth*". */
    private static String wildcard(String iface) {
        return iface.endsWith("+") ? iface.substring(0, iface.length() - 1) + "*" : iface;
    }
}
