package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ctagent.net.Cidr;

/**
 * The root helper's check of an nft script (sudo mode, {@code conntrack-agent-root nft-apply}): every line
 * must be one that {@link NftScript} renders, for the agent's own table {@code inet conntrack_agent} only
 * ({@code fib daddr type local} only in the lifeline's prerouting rule).
 * Each line is parsed into typed values (the API's own parsers: {@link Cidr}, {@link RuleSpecParser#iface},
 * ports, tag) and rendered again; the helper hands nft the rendering, never the text it was sent. Anything
 * else (an include, another table, a flush, a define) is refused.
 */
public final class NftScriptCheck {

    /** Far more than the largest plan (a rule has at most two copies; rules are capped). */
    static final int MAX_BYTES = io.ctagent.hostagent.ManagedFileLines.MAX_CHARS;

    private static final String PORTS = "(?:[0-9]{1,5}(?:-[0-9]{1,5})?|\\{ [0-9]{1,5}(?:-[0-9]{1,5})?(?:, [0-9]{1,5}"
            + "(?:-[0-9]{1,5})?)* \\})";
    private static final Pattern ADD_RULE = Pattern.compile("add rule inet conntrack_agent (prerouting|output) "
            + "((?:meta nfproto (ipv4|ipv6) )?"
            + "(?:iifname \"([^\"\\\\ ]{1,15})\" )?"
            + "(?:oifname \"([^\"\\\\ ]{1,15})\" )?"
            + "(?:(ip6?) saddr ([0-9a-f.:]{2,39}/[0-9]{1,3}) )?"
            + "(?:(ip6?) daddr ([0-9a-f.:]{2,39}/[0-9]{1,3}) )?"
            + "(?:meta l4proto (tcp|udp) )?"
            + "(?:(tcp|udp) sport (" + PORTS + ") )?"
            + "(?:(tcp|udp) dport (" + PORTS + ") )?"
            + "(" + NftScript.LOCAL_DST + " )?"
            + "counter notrack comment \"(" + NotrackRule.TAG_PREFIX + "(?:" + NotrackRule.ID_PATTERN + "))\")");
    private static final Pattern DELETE_RULE = Pattern.compile(
            "delete rule inet conntrack_agent (prerouting|output) handle ([1-9][0-9]{0,17})");

    private NftScriptCheck() {
    }

    /**
     * The script rendered again from the typed values parsed out of {@code script}; an
     * IllegalArgumentException naming the first line that is not the agent's.
     */
    public static String rebuild(String script) {
        if (script.length() > MAX_BYTES) {
            throw new IllegalArgumentException("the script is longer than " + MAX_BYTES + " characters");
        }
        List<String> header = List.of(NftScript.add(List.of()).split("\n"));
        String[] lines = script.split("\n", -1);
        List<String> rebuilt = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty() && i == lines.length - 1) {
                continue;
            }
            String again;
            try {
                again = header.contains(line) ? header.get(header.indexOf(line)) : rule(line);
            } catch (RuntimeException invalid) {
                // A bad address, port range or interface name: InvalidInput or IllegalArgumentException.
                throw refused(i, line);
            }
            if (!line.equals(again)) {
                throw refused(i, line);
            }
            rebuilt.add(again);
        }
        if (rebuilt.isEmpty()) {
            throw new IllegalArgumentException("the script is empty");
        }
        return String.join("\n", rebuilt) + "\n";
    }

    private static String rule(String line) {
        Matcher delete = DELETE_RULE.matcher(line);
        if (delete.matches()) {
            Hook hook = hook(delete.group(1));
            KernelRule copy = new KernelRule("", NftScript.location(hook), Long.parseLong(delete.group(2)), 0, 0);
            return NftScript.delete(List.of(copy)).strip();
        }
        Matcher add = ADD_RULE.matcher(line);
        if (!add.matches()) {
            return null;
        }
        Hook hook = hook(add.group(1));
        boolean localDst = add.group(15) != null;
        String tag = add.group(16);
        if (localDst && !lifelineArriving(add, hook, tag)) {
            // Only the lifeline's arriving copy matches local destinations: no caller's rule renders it.
            return null;
        }
        Cidr src = add.group(7) == null ? null : RuleSpecParser.cidr("src", add.group(7));
        Cidr dst = add.group(9) == null ? null : RuleSpecParser.cidr("dst", add.group(9));
        IpFamily family = add.group(3) != null ? IpFamily.valueOf(add.group(3).toUpperCase(Locale.ROOT))
                : src != null ? IpFamily.of(src.family()) : dst != null ? IpFamily.of(dst.family()) : IpFamily.BOTH;
        String protocolName = add.group(10) != null ? add.group(10) : add.group(11) != null ? add.group(11)
                : add.group(13);
        Protocol protocol = protocolName == null ? null : Protocol.valueOf(protocolName.toUpperCase(Locale.ROOT));
        RuleSpec spec = new RuleSpec(Direction.BOTH, family, protocol, ports(add.group(14)), ports(add.group(12)),
                iface("iif", add.group(4)), iface("oif", add.group(5)), src, dst, localDst, null);
        return "add rule " + NftScript.location(hook) + " " + NftScript.ruleBody(spec, tag);
    }

    /** The lifeline's prerouting rule: TCP to its ports, optionally to server.address, nothing else. */
    private static boolean lifelineArriving(Matcher add, Hook hook, String tag) {
        boolean onlyAddressAndPorts = add.group(3) == null && add.group(4) == null && add.group(5) == null
                && add.group(7) == null && add.group(10) == null && add.group(11) == null;
        return hook == Hook.PREROUTING && tag.equals(NotrackRule.TAG_PREFIX + NotrackRule.LIFELINE_ID)
                && onlyAddressAndPorts && "tcp".equals(add.group(13));
    }

    private static Hook hook(String chain) {
        return chain.equals("output") ? Hook.OUTPUT : Hook.PREROUTING;
    }

    /** nft writes the iptables prefix wildcard "eth+" as "eth*". */
    private static String iface(String field, String nftName) {
        if (nftName == null) {
            return null;
        }
        String name = nftName.endsWith("*") ? nftName.substring(0, nftName.length() - 1) + "+" : nftName;
        return RuleSpecParser.iface(field, name);
    }

    private static Ports ports(String text) {
        if (text == null) {
            return null;
        }
        List<PortRange> ranges = new ArrayList<>();
        for (String part : text.replace("{", "").replace("}", "").split(",")) {
            String[] ends = part.strip().split("-");
            int first = Integer.parseInt(ends[0]);
            ranges.add(new PortRange(first, ends.length == 1 ? first : Integer.parseInt(ends[1])));
        }
        return new Ports(ranges);
    }

    private static IllegalArgumentException refused(int index, String line) {
        String shown = line.length() > 120 ? line.substring(0, 120) + "..." : line;
        return new IllegalArgumentException("line " + (index + 1) + " is not one the agent writes for its table "
                + NftScript.TABLE_REF + ": " + shown.replaceAll("\\p{Cntrl}", "?"));
    }
}
