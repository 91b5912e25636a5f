package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses `nft -j list table inet conntrack_agent`: the agent's tagged rules with handle and
 * counters. JSON, because nft's text output is meant for people and changes between versions.
 */
final class NftJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern OWN_ID = Pattern.compile(NotrackRule.TAG_PREFIX + "(" + NotrackRule.ID_PATTERN + ")");

    private NftJson() {
    }

    static KernelState owned(String json) {
        List<KernelRule> owned = new ArrayList<>();
        Set<String> structure = new HashSet<>();
        Set<KernelRule> localDst = new HashSet<>();
        for (JsonNode item : JSON.readTree(json).path("nftables")) {
            JsonNode chain = item.path("chain");
            if (isOurs(chain)) {
                structure.add("chain " + chain.path("name").asString());
            }
            JsonNode rule = item.path("rule");
            if (!isOurs(rule)) {
                continue;
            }
            Matcher id = OWN_ID.matcher(rule.path("comment").asString(""));
            if (!id.matches()) {
                continue;
            }
            long packets = 0;
            long bytes = 0;
            boolean local = false;
            for (JsonNode expr : rule.path("expr")) {
                if (expr.has("counter")) {
                    packets = expr.path("counter").path("packets").asLong();
                    bytes = expr.path("counter").path("bytes").asLong();
                }
                local |= isLocalDst(expr.path("match"));
            }
            KernelRule copy = new KernelRule(id.group(1), NftScript.TABLE_REF + " " + rule.path("chain").asString(),
                    rule.path("handle").asLong(), packets, bytes);
            owned.add(copy);
            if (local) {
                localDst.add(copy);
            }
        }
        return new KernelState(owned, structure, localDst);
    }

    /** {@link NftScript#LOCAL_DST} as nft -j prints it: a match of {"fib": {"result": "type", "flags": ["daddr"]}}. */
    private static boolean isLocalDst(JsonNode match) {
        JsonNode fib = match.path("left").path("fib");
        JsonNode flags = fib.path("flags");
        return "==".equals(match.path("op").asString("")) && "local".equals(match.path("right").asString(""))
                && "type".equals(fib.path("result").asString("")) && flags.size() == 1
                && "daddr".equals(flags.path(0).asString(""));
    }

    private static boolean isOurs(JsonNode node) {
        return node.isObject() && "inet".equals(node.path("family").asString())
                && NftScript.TABLE.equals(node.path("table").asString());
    }
}
