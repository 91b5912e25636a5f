package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the text of `nft -a list ruleset` into its rules, with table, chain, chain type and
 * handle, so other people's NOTRACK and NAT rules can be shown as they wrote them.
 */
final class NftRuleset {

    private static final Pattern TABLE = Pattern.compile("table (\\S+) (\\S+) \\{.*");
    private static final Pattern CHAIN = Pattern.compile("chain (\\S+) \\{.*");
    private static final Pattern CHAIN_TYPE = Pattern.compile("type (\\S+) hook (\\S+) .*");
    private static final Pattern HANDLE = Pattern.compile("\\s*# handle (\\d+)\\s*$");
    private static final Pattern MANAGED = Pattern.compile("# Warning: table (\\S+ \\S+) is managed by iptables-nft.*");
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+) bytes (\\d+)");

    private NftRuleset() {
    }

    /**
     * One rule line.
     *
     * @param family ip, ip6, inet, arp, bridge or netdev
     * @param chainType filter, nat or route; null for a regular (non-base) chain
     */
    record Rule(String family, String table, String chain, String chainType, long handle, String text) {

        String location() {
            return family + " " + table + " " + chain;
        }

        boolean hasWord(String word) {
            return Pattern.compile("(^|\\s)" + word + "(\\s|$)").matcher(withoutQuotes(text)).find();
        }

        Long packets() {
            Matcher counter = COUNTER.matcher(text);
            return counter.find() ? Long.valueOf(counter.group(1)) : null;
        }

        Long bytes() {
            Matcher counter = COUNTER.matcher(text);
            return counter.find() ? Long.valueOf(counter.group(2)) : null;
        }
    }

    /** All rules of all tables, in the order nft prints them. */
    static List<Rule> rules(String text) {
        List<Rule> rules = new ArrayList<>();
        String family = null;
        String table = null;
        String chain = null;
        String chainType = null;
        int depth = 0;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            int lineDepth = depth;
            depth += braces(line);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher matcher;
            if (lineDepth == 0 && (matcher = TABLE.matcher(line)).matches()) {
                family = matcher.group(1);
                table = matcher.group(2);
            } else if (lineDepth == 1) {
                matcher = CHAIN.matcher(line);
                chain = matcher.matches() ? matcher.group(1) : null;
                chainType = null;
            } else if (lineDepth == 2 && chain != null) {
                Matcher type = CHAIN_TYPE.matcher(line);
                if (type.matches()) {
                    chainType = type.group(1);
                } else if (!line.startsWith("policy ") && !line.startsWith("comment ") && !line.startsWith("}")) {
                    Matcher handle = HANDLE.matcher(line);
                    long number = handle.find() ? Long.parseLong(handle.group(1)) : -1;
                    String ruleText = HANDLE.matcher(line).replaceFirst("");
                    rules.add(new Rule(family, table, chain, chainType, number, ruleText));
                }
            }
        }
        return rules;
    }

    /** Tables like "ip raw" that iptables-nft owns; their rules are read through iptables instead. */
    static Set<String> managedByIptables(String... outputs) {
        Set<String> managed = new HashSet<>();
        for (String output : outputs) {
            for (String line : output.split("\n")) {
                Matcher matcher = MANAGED.matcher(line.strip());
                if (matcher.matches()) {
                    managed.add(matcher.group(1));
                }
            }
        }
        return managed;
    }

    /** NOTRACK rules outside the agent's table and outside tables iptables-nft manages. */
    static List<ForeignRule> foreignNotrack(List<Rule> rules, Set<String> managed) {
        return rules.stream()
                .filter(rule -> !isOurs(rule) && !managed.contains(rule.family() + " " + rule.table()))
                .filter(rule -> rule.hasWord("notrack"))
                .map(rule -> new ForeignRule("nft", rule.location(), rule.text(), rule.packets(), rule.bytes()))
                .toList();
    }

    static boolean isOurs(Rule rule) {
        return rule.family().equals("inet") && rule.table().equals(NftScript.TABLE);
    }

    private static int braces(String line) {
        int count = 0;
        String bare = withoutQuotes(line);
        int hash = bare.indexOf('#');
        if (hash >= 0) {
            bare = bare.substring(0, hash);
        }
        for (char c : bare.toCharArray()) {
            if (c == '{') {
                count++;
            } else if (c == '}') {
                count--;
            }
        }
        return count;
    }

    private static String withoutQuotes(String text) {
        return text.replaceAll("\"[^\"]*\"", "\"\"");
    }
}
