package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ctagent.hostagent.CommandResult;
import io.ctagent.testsupport.FakeCommandRunner;
import io.ctagent.testsupport.FakeCommandRunner.Call;

/**
 * Just enough of nft and iptables behind a FakeCommandRunner for service tests: scripts and argv
 * lists change an in-memory ruleset that the list commands print back, so read-back, drift and
 * undo can be tested without a kernel.
 */
public final class FakeKernel {

    private static final Pattern ADD_RULE = Pattern.compile(
            "add rule inet conntrack_agent (\\S+) .*comment \"(ctagent:(?:[0-9a-f]{8}|lifeline))\"");
    private static final Pattern DELETE_RULE = Pattern.compile("delete rule inet conntrack_agent (\\S+) handle (\\d+)");

    /** {@code fib daddr type local} as nft 1.0.6 prints it in `nft -j list`. */
    static final String LOCAL_DST_JSON = "{\"match\": {\"op\": \"==\", \"left\": {\"fib\": {\"result\": \"type\", "
            + "\"flags\": [\"daddr\"]}}, \"right\": \"local\"}}";

    record NftRule(String chain, long handle, String comment, String text) {
    }

    final List<NftRule> nft = new ArrayList<>();
    private long nextHandle = 1;
    boolean nftTable;
    /** Per binary (iptables, ip6tables): chain names and the "-A ..." lines in order. */
    final Map<String, Set<String>> chains = new TreeMap<>();
    final Map<String, List<String>> lines = new TreeMap<>();
    String natRuleset = "";
    String iptablesNat = "";

    public FakeKernel(FakeCommandRunner runner) {
        runner.answer(call -> call.has("-j", "list", "table"), this::listNft);
        runner.answer(call -> call.has("-f", "-"), this::applyNft);
        runner.answer(call -> call.has("-a", "list", "ruleset"), call -> ok(call, natRuleset));
        runner.answer(call -> isIptables(call) && call.has("raw"), this::iptables);
        runner.answer(call -> isIptables(call) && call.has("nat"), call -> ok(call, iptablesNat));
        runner.answer(call -> isIptables(call) && call.has("--version"),
                call -> ok(call, "iptables v1.8.9 (nf_tables)"));
    }

    /** What `nft flush ruleset` or a reboot does to the agent's rules. */
    void flush() {
        nft.clear();
        nftTable = false;
        chains.clear();
        lines.clear();
    }

    private CommandResult listNft(Call call) {
        if (!nftTable) {
            return FakeCommandRunner.result(call, 1, "", "Error: No such file or directory; did you mean table "
                    + "'filter' in family ip?");
        }
        StringBuilder json = new StringBuilder("{\"nftables\": [{\"table\": {\"family\": \"inet\", \"name\": "
                + "\"conntrack_agent\", \"handle\": 1}}");
        for (NftRule rule : nft) {
            json.append(", {\"rule\": {\"family\": \"inet\", \"table\": \"conntrack_agent\", \"chain\": \"")
                    .append(rule.chain()).append("\", \"handle\": ").append(rule.handle())
                    .append(", \"comment\": \"").append(rule.comment())
                    .append("\", \"expr\": [")
                    // nft prints each match as an expression; the one the parser must see is the local match.
                    .append(rule.text().contains(NftScript.LOCAL_DST) ? LOCAL_DST_JSON + ", " : "")
                    .append("{\"counter\": {\"packets\": 3, \"bytes\": 87}}, {\"notrack\": null}]}}");
        }
        return ok(call, json.append("]}").toString());
    }

    private CommandResult applyNft(Call call) {
        List<NftRule> next = new ArrayList<>(nft);
        for (String line : call.stdin().split("\n")) {
            Matcher add = ADD_RULE.matcher(line);
            Matcher delete = DELETE_RULE.matcher(line);
            if (add.matches()) {
                next.add(new NftRule(add.group(1), nextHandle++, add.group(2), line));
            } else if (delete.matches()) {
                long handle = Long.parseLong(delete.group(2));
                if (!next.removeIf(rule -> rule.handle() == handle && rule.chain().equals(delete.group(1)))) {
                    // One bad line fails the whole transaction, as in nft.
                    return FakeCommandRunner.result(call, 1, "", "Error: Could not process rule: No such file");
                }
            }
        }
        nft.clear();
        nft.addAll(next);
        nftTable = true;
        return ok(call, "");
    }

    private CommandResult iptables(Call call) {
        String binary = call.argv().stream().filter(arg -> arg.endsWith("/iptables") || arg.endsWith("/ip6tables"))
                .findFirst().orElseThrow();
        binary = binary.substring(binary.lastIndexOf('/') + 1);
        List<String> args = call.toolArgs(binary).subList(4, call.toolArgs(binary).size());
        Set<String> own = chains.computeIfAbsent(binary, b -> new LinkedHashSet<>());
        List<String> rules = lines.computeIfAbsent(binary, b -> new ArrayList<>());
        switch (args.get(0)) {
            case "-v" -> {
                StringBuilder out = new StringBuilder("-P PREROUTING ACCEPT -c 0 0\n-P OUTPUT ACCEPT -c 0 0\n");
                own.forEach(chain -> out.append("-N ").append(chain).append('\n'));
                rules.forEach(line -> out.append(line).append('\n'));
                return ok(call, out.toString());
            }
            case "-N" -> {
                if (!own.add(args.get(1))) {
                    return FakeCommandRunner.result(call, 1, "", "iptables: Chain already exists.");
                }
            }
            case "-A" -> {
                List<String> rest = new ArrayList<>(args.subList(2, args.size()));
                int comment = rest.indexOf("--comment");
                if (comment >= 0) {
                    rest.set(comment + 1, "\"" + rest.get(comment + 1) + "\"");
                }
                rules.add("-A " + args.get(1) + " " + String.join(" ", rest).replace(" -j ", " -c 3 87 -j "));
            }
            case "-D" -> {
                int number = Integer.parseInt(args.get(2));
                List<String> inChain = rules.stream()
                        .filter(line -> line.startsWith("-A " + args.get(1) + " ")).toList();
                rules.remove(inChain.get(number - 1));
            }
            default -> throw new AssertionError("unexpected iptables call " + call.argv());
        }
        return ok(call, "");
    }

    private static boolean isIptables(Call call) {
        return call.argv().stream().anyMatch(arg -> arg.endsWith("/iptables") || arg.endsWith("/ip6tables"));
    }

    private static CommandResult ok(Call call, String stdout) {
        return FakeCommandRunner.result(call, 0, stdout, "");
    }
}
