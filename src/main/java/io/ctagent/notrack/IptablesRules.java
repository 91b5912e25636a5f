package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders iptables/ip6tables argument lists for the agent's own chains in the raw table: pure
 * functions from typed values. One chain per hook (CTAGENT-NOTRACK-PREROUTING, -OUTPUT), each
 * jumped to by one rule: iptables cannot tell a rule which hook a shared chain was entered
 * from, and a rule's direction must hold.
 */
final class IptablesRules {

    static final String CHAIN_PREFIX = "CTAGENT-NOTRACK-";
    static final String JUMP_TAG = "ctagent:jump";
    /** Addressed to this host: the destination is one of its own addresses (as `iptables -S` prints it too). */
    static final List<String> LOCAL_DST = List.of("-m", "addrtype", "--dst-type", "LOCAL");
    /** Wait up to 5 s for the xtables lock that iptables-legacy takes. */
    private static final List<String> RAW = List.of("-w", "5", "-t", "raw");

    private IptablesRules() {
    }

    /** Where a rule copy lives, e.g. "ip6tables raw CTAGENT-NOTRACK-OUTPUT". */
    static String location(IpFamily family, Hook hook) {
        return binary(family) + " raw " + hook.ownChain();
    }

    static String binary(IpFamily family) {
        return family == IpFamily.IPV6 ? "ip6tables" : "iptables";
    }

    static List<String> listRaw() {
        return with("-v", "-S");
    }

    static List<String> listNat() {
        return List.of("-w", "5", "-t", "nat", "-v", "-S");
    }

    static List<String> createChain(Hook hook) {
        return with("-N", hook.ownChain());
    }

    /** Appended, not inserted: the position of everybody else's rules stays as it was. */
    static List<String> jump(Hook hook) {
        return with("-A", hook.builtinChain(), "-m", "comment", "--comment", JUMP_TAG, "-j", hook.ownChain());
    }

    static List<String> append(RuleSpec spec, Hook hook, String tag) {
        List<String> args = new ArrayList<>(with("-A", hook.ownChain()));
        if (spec.iif() != null) {
            args.addAll(List.of("-i", spec.iif()));
        }
        if (spec.oif() != null) {
            args.addAll(List.of("-o", spec.oif()));
        }
        if (spec.src() != null) {
            args.addAll(List.of("-s", spec.src().withPrefix()));
        }
        if (spec.dst() != null) {
            args.addAll(List.of("-d", spec.dst().withPrefix()));
        }
        if (spec.protocol() != null) {
            args.addAll(List.of("-p", spec.protocol().value()));
            // Single ports first, through the protocol's own match; lists need multiport.
            if (spec.sports() != null && spec.sports().singleRange()) {
                args.addAll(List.of("--sport", spec.sports().iptables()));
            }
            if (spec.dports() != null && spec.dports().singleRange()) {
                args.addAll(List.of("--dport", spec.dports().iptables()));
            }
            if (spec.sports() != null && !spec.sports().singleRange()) {
                args.addAll(List.of("-m", "multiport", "--sports", spec.sports().iptables()));
            }
            if (spec.dports() != null && !spec.dports().singleRange()) {
                args.addAll(List.of("-m", "multiport", "--dports", spec.dports().iptables()));
            }
        }
        if (spec.localDst()) {
            args.addAll(LOCAL_DST);
        }
        args.addAll(List.of("-m", "comment", "--comment", tag, "-j", "CT", "--notrack"));
        return args;
    }

    /** Deletes by rule number inside the agent's own chain, never elsewhere. */
    static List<String> deleteAt(String ownChain, long ruleNumber) {
        if (!ownChain.startsWith(CHAIN_PREFIX)) {
            throw new IllegalArgumentException("not the agent's chain: " + ownChain);
        }
        return with("-D", ownChain, String.valueOf(ruleNumber));
    }

    private static List<String> with(String... args) {
        List<String> all = new ArrayList<>(RAW);
        all.addAll(List.of(args));
        return all;
    }
}
