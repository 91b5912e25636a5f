package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether untracked packets to (and from) the agent's ports would still pass a namespace's filter
 * rules. Untracked packets match no `ct state`/`--ctstate` rule except UNTRACKED, so where a chain
 * drops by default and accepts the agent's traffic only by state, the lifeline would cut the agent
 * off. Conservative: an accept this cannot read counts as not accepting.
 */
final class LifelineSafety {

    /** Why not, and the rule that would make it safe. */
    record Refusal(String reason, String ruleToAdd) {
    }

    private static final Pattern NFT_TABLE = Pattern.compile("table (\\S+) (\\S+) \\{.*");
    private static final Pattern NFT_CHAIN = Pattern.compile("chain (\\S+) \\{.*");
    private static final Pattern NFT_HOOK = Pattern.compile("type filter hook (input|output) .*");
    /** A rule that drops or rejects every packet still in the chain: the chain drops by default. */
    private static final Pattern NFT_CATCH_ALL = Pattern.compile(
            "(counter (packets \\d+ bytes \\d+ )?)?(drop|reject( with .+)?)");
    private static final Pattern NFT_PORTS = Pattern.compile("tcp (dport|sport) (\\{[^}]*}|\\S+)");
    private static final Pattern NFT_STATE = Pattern.compile("ct state (\\{[^}]*}|\\S+)");

    private LifelineSafety() {
    }

    /** `iptables -t filter -S` (or ip6tables) of the namespace. */
    static Optional<Refusal> iptables(String listing, String binary, Ports ports) {
        Map<String, String> policies = new HashMap<>();
        for (String raw : listing.split("\n")) {
            List<String> tokens = IptablesListing.tokenize(raw);
            if (tokens.size() >= 3 && tokens.get(0).equals("-P")) {
                policies.put(tokens.get(1), tokens.get(2));
            }
        }
        List<IptablesListing.Line> lines = IptablesListing.lines(listing);
        for (String chain : List.of("INPUT", "OUTPUT")) {
            boolean input = chain.equals("INPUT");
            Set<String> scanned = chainAndItsJumps(chain, lines);
            if (!dropsByDefault(policies.get(chain), lines, chain) || lines.stream()
                    .anyMatch(line -> scanned.contains(line.chain()) && acceptsUntracked(line, ports, input))) {
                continue;
            }
            String option = input ? "--dports" : "--sports";
            return Optional.of(new Refusal(binary + " filter " + chain + " drops by default and accepts the agent's "
                    + "port(s) " + ports + " only by connection state, which untracked packets do not have",
                    binary + " -I " + chain + " -p tcp -m multiport " + option + " " + ports.iptables()
                            + " -m conntrack --ctstate UNTRACKED -j ACCEPT"));
        }
        return Optional.empty();
    }

    /** `nft list ruleset` of the namespace; tables iptables-nft manages are read through iptables instead. */
    static Optional<Refusal> nft(String ruleset, java.util.Set<String> managed, Ports ports) {
        List<String[]> bases = new ArrayList<>();
        String family = null;
        String table = null;
        String chain = null;
        for (String raw : ruleset.split("\n")) {
            String line = raw.strip();
            Matcher matcher;
            if ((matcher = NFT_TABLE.matcher(line)).matches()) {
                family = matcher.group(1);
                table = matcher.group(2);
            } else if ((matcher = NFT_CHAIN.matcher(line)).matches()) {
                chain = matcher.group(1);
            } else if ((matcher = NFT_HOOK.matcher(line)).matches() && !managed.contains(family + " " + table)) {
                // The hook line itself is kept for its policy.
                bases.add(new String[] {family, table, chain, matcher.group(1), line});
            }
        }
        List<NftRuleset.Rule> rules = NftRuleset.rules(ruleset);
        for (String[] base : bases) {
            List<NftRuleset.Rule> own = rules.stream()
                    .filter(rule -> rule.location().equals(base[0] + " " + base[1] + " " + base[2])).toList();
            boolean dropsByDefault = base[4].contains("policy drop;") || (!own.isEmpty()
                    && NFT_CATCH_ALL.matcher(own.get(own.size() - 1).text().strip()).matches());
            if (!dropsByDefault) {
                continue;
            }
            boolean input = base[3].equals("input");
            boolean accepted = rules.stream()
                    .filter(rule -> rule.family().equals(base[0]) && rule.table().equals(base[1]))
                    .anyMatch(rule -> acceptsUntracked(rule.text(), ports, input));
            if (!accepted) {
                String where = base[0] + " " + base[1] + " " + base[2];
                return Optional.of(new Refusal("nft chain " + where + " (hook " + base[3] + ") drops by default and "
                        + "accepts the agent's port(s) " + ports + " only by connection state, which untracked "
                        + "packets do not have", "nft insert rule " + where + " tcp " + (input ? "dport" : "sport")
                        + " " + ports.nft() + " ct state untracked accept"));
            }
        }
        return Optional.empty();
    }

    private static boolean dropsByDefault(String policy, List<IptablesListing.Line> lines, String chain) {
        if ("DROP".equals(policy)) {
            return true;
        }
        List<IptablesListing.Line> own = lines.stream().filter(line -> line.chain().equals(chain)).toList();
        if (own.isEmpty()) {
            return false;
        }
        // "-j DROP", "-j REJECT" or "-j REJECT --reject-with icmp-host-prohibited" (RHEL's default firewall).
        List<String> args = own.get(own.size() - 1).args();
        boolean unconditional = args.size() == 2 || args.size() == 4 && args.get(2).equals("--reject-with");
        return unconditional && args.get(0).equals("-j") && List.of("DROP", "REJECT").contains(args.get(1));
    }

    /**
     * The chain and the user chains its rules jump to (one level: a rule in such a chain that jumps on is not
     * followed, so an accept there counts as not accepting). FORWARD, DOCKER and other chains that never see
     * the agent's packets are not read: the lifeline exempts only packets addressed to this host (and the
     * host's own), so every packet FORWARD sees stays tracked.
     */
    private static Set<String> chainAndItsJumps(String chain, List<IptablesListing.Line> lines) {
        Set<String> chains = new HashSet<>(Set.of(chain));
        lines.stream().filter(line -> line.chain().equals(chain) && line.target() != null)
                .forEach(line -> chains.add(line.target()));
        return chains;
    }

    /** An ACCEPT whose every match an untracked TCP packet to (input) or from (output) the ports passes. */
    static boolean acceptsUntracked(IptablesListing.Line line, Ports ports, boolean input) {
        if (!"ACCEPT".equals(line.target())) {
            return false;
        }
        List<String> args = line.args();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String value = i + 1 < args.size() ? args.get(i + 1) : "";
            boolean ok = switch (arg) {
                case "-p" -> value.equals("tcp") || value.equals("6");
                case "-m" -> List.of("tcp", "multiport", "comment", "conntrack", "state").contains(value);
                case "--comment" -> true;
                case "-j" -> true;
                case "--ctstate", "--state" -> value.toUpperCase(Locale.ROOT).contains("UNTRACKED");
                case "--dport", "--dports" -> input && covers(value, ":", ports);
                case "--sport", "--sports" -> !input && covers(value, ":", ports);
                default -> false;
            };
            if (!ok) {
                return false;
            }
            i++;
        }
        return true;
    }

    static boolean acceptsUntracked(String rule, Ports ports, boolean input) {
        String rest = rule.replaceAll("comment \"[^\"]*\"", " ")
                .replaceAll("counter packets \\d+ bytes \\d+", " ")
                .replaceAll("(^|\\s)counter(\\s|$)", " ");
        if (!Pattern.compile("(^|\\s)accept(\\s|$)").matcher(rest).find()) {
            return false;
        }
        Matcher state = NFT_STATE.matcher(rest);
        if (state.find()) {
            if (!state.group(1).contains("untracked")) {
                return false;
            }
            rest = state.replaceAll(" ");
        }
        Matcher port = NFT_PORTS.matcher(rest);
        while (port.find()) {
            boolean dport = port.group(1).equals("dport");
            if (dport != input || !covers(port.group(2).replace("{", "").replace("}", ""), "-", ports)) {
                return false;
            }
        }
        rest = NFT_PORTS.matcher(rest).replaceAll(" ")
                .replaceAll("meta l4proto (tcp|6)|ip protocol tcp|ip6 nexthdr tcp", " ")
                .replaceAll("(^|\\s)accept(\\s|$)", " ");
        return rest.isBlank();
    }

    /** "8080", "8000:9000" (iptables) or "8000-9000", comma lists: all of {@code ports} within. */
    private static boolean covers(String text, String rangeMark, Ports ports) {
        List<PortRange> ranges = new ArrayList<>();
        try {
            for (String part : text.split(",")) {
                String[] ends = part.strip().split(Pattern.quote(rangeMark));
                int first = Integer.parseInt(ends[0].strip());
                ranges.add(new PortRange(first, ends.length > 1 ? Integer.parseInt(ends[1].strip()) : first));
            }
        } catch (IllegalArgumentException unreadable) {
            return false;
        }
        return ports.ranges().stream().allMatch(mine -> ranges.stream()
                .anyMatch(theirs -> theirs.first() <= mine.first() && mine.last() <= theirs.last()));
    }
}
