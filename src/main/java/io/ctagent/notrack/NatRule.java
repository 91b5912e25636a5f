package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NAT rule found in the namespace, with what little of its match we can read: family,
 * protocol and destination ports. Whatever cannot be read counts as "anything", so an overlap
 * warning errs on the side of warning.
 *
 * @param source nft, iptables or ip6tables
 * @param location table and chain
 * @param rule the rule as its tool prints it
 * @param family its family, BOTH when unknown
 * @param protocol tcp, udp, another protocol name, or null for any
 * @param dports its destination ports, or null for any
 */
record NatRule(String source, String location, String rule, IpFamily family, String protocol, Ports dports) {

    private static final Set<String> IPTABLES_NAT_TARGETS = Set.of("DNAT", "SNAT", "MASQUERADE", "REDIRECT",
            "NETMAP");
    private static final Pattern NFT_NAT = Pattern.compile("(^|\\s)(dnat|snat|masquerade|redirect)(\\s|$)");
    private static final Pattern NFT_DPORT = Pattern.compile("(?:^|\\s)(tcp|udp|th|sctp|dccp) dport (\\{[^}]*}|\\S+)");
    private static final Pattern NFT_L4PROTO = Pattern.compile("(?:meta l4proto|ip protocol|ip6 nexthdr) (\\w+)");

    /** Could this NAT rule see packets the NOTRACK rule exempts? */
    boolean overlaps(RuleSpec spec) {
        if (!family.overlaps(spec.family())) {
            return false;
        }
        if (protocol != null && spec.protocol() != null && !protocol.equals(spec.protocol().value())) {
            return false;
        }
        return dports == null || spec.dports() == null || dports.overlaps(spec.dports());
    }

    /** NAT rules in `nft list ruleset` outside tables iptables-nft manages (those come from iptables). */
    static List<NatRule> fromNft(List<NftRuleset.Rule> rules, Set<String> managed) {
        List<NatRule> nat = new ArrayList<>();
        for (NftRuleset.Rule rule : rules) {
            if (managed.contains(rule.family() + " " + rule.table()) || NftRuleset.isOurs(rule)) {
                continue;
            }
            if (!NFT_NAT.matcher(rule.text()).find()) {
                continue;
            }
            IpFamily family = switch (rule.family()) {
                case "ip" -> IpFamily.IPV4;
                case "ip6" -> IpFamily.IPV6;
                default -> IpFamily.BOTH;
            };
            String protocol = null;
            Ports dports = null;
            Matcher dport = NFT_DPORT.matcher(rule.text());
            if (dport.find()) {
                protocol = dport.group(1).equals("th") ? null : dport.group(1);
                dports = ports(dport.group(2).replace("{", "").replace("}", ""), "-");
            }
            Matcher l4 = NFT_L4PROTO.matcher(rule.text());
            if (protocol == null && l4.find()) {
                protocol = l4.group(1).toLowerCase(Locale.ROOT);
            }
            nat.add(new NatRule("nft", rule.location(), rule.text(), family, protocol, dports));
        }
        return nat;
    }

    /** NAT rules in `iptables -t nat -S` (or ip6tables). */
    static List<NatRule> fromIptables(String text, String binary) {
        List<NatRule> nat = new ArrayList<>();
        for (IptablesListing.Line line : IptablesListing.lines(text)) {
            if (!IPTABLES_NAT_TARGETS.contains(line.target())) {
                continue;
            }
            List<String> args = line.args();
            String protocol = valueAfter(args, "-p");
            String dport = valueAfter(args, "--dport");
            if (dport == null) {
                dport = valueAfter(args, "--dports");
            }
            IpFamily family = binary.equals("ip6tables") ? IpFamily.IPV6 : IpFamily.IPV4;
            nat.add(new NatRule(binary, binary + " nat " + line.chain(), line.text(), family,
                    protocol == null ? null : protocol.toLowerCase(Locale.ROOT),
                    dport == null ? null : ports(dport, ":")));
        }
        return nat;
    }

    /** The value after an option, unless the option is negated ("! -p udp" matches everything else). */
    private static String valueAfter(List<String> args, String option) {
        int at = args.indexOf(option);
        if (at < 0 || at + 1 >= args.size() || (at > 0 && args.get(at - 1).equals("!"))) {
            return null;
        }
        return args.get(at + 1);
    }

    /** "53", "1000-2000" (nft) or "1000:2000" (iptables), comma lists; null when unreadable (a named set). */
    private static Ports ports(String text, String rangeMark) {
        try {
            List<PortRange> ranges = new ArrayList<>();
            for (String part : text.split(",")) {
                String[] ends = part.strip().split(Pattern.quote(rangeMark));
                int first = Integer.parseInt(ends[0].strip());
                int last = ends.length > 1 ? Integer.parseInt(ends[1].strip()) : first;
                ranges.add(new PortRange(first, last));
            }
            return new Ports(ranges);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
