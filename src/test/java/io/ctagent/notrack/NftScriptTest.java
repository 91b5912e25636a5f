package io.ctagent.notrack;

import static io.ctagent.notrack.RuleSpecs.rule;
import static io.ctagent.notrack.RuleSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class NftScriptTest {

    @Test
    void addDeclaresTheOwnTableAndRawChainsAndAddsTaggedRulesInOneScript() {
        NotrackRule dns = RuleSpecs.udp("0a1b2c3d", 53);

        String script = NftScript.add(List.of(new Placement(dns, Hook.PREROUTING), new Placement(dns, Hook.OUTPUT)));

        assertThat(script).isEqualTo("""
                add table inet conntrack_agent
                add chain inet conntrack_agent prerouting { type filter hook prerouting priority raw; policy accept; }
                add chain inet conntrack_agent output { type filter hook output priority raw; policy accept; }
                add rule inet conntrack_agent prerouting udp dport 53 counter notrack comment "ctagent:0a1b2c3d"
                add rule inet conntrack_agent output udp dport 53 counter notrack comment "ctagent:0a1b2c3d"
                """);
    }

    @Test
    void everyMatchIsRenderedFromTypedValues() {
        RuleSpec spec = spec("PREROUTING", null, "tcp", "443,8443", "1024-65535", "eth+", null, "10.0.0.0/8",
                "192.168.1.10");

        assertThat(NftScript.ruleBody(spec, "ctagent:00000001")).isEqualTo("iifname \"eth*\" ip saddr 10.0.0.0/8 "
                + "ip daddr 192.168.1.10/32 tcp sport 1024-65535 tcp dport { 443, 8443 } counter notrack "
                + "comment \"ctagent:00000001\"");
    }

    @Test
    void aFamilyWithoutAddressesIsMatchedByNfprotoAndAProtocolWithoutPortsByL4proto() {
        assertThat(NftScript.ruleBody(spec("OUTPUT", "ipv6", "udp", null, null, null, "wg0", null, null), "ctagent:x"))
                .isEqualTo("meta nfproto ipv6 oifname \"wg0\" meta l4proto udp counter notrack comment \"ctagent:x\"");
        assertThat(NftScript.ruleBody(spec(null, null, null, null, null, null, null, null, "2001:db8::/32"),
                "ctagent:y")).isEqualTo("ip6 daddr 2001:db8::/32 counter notrack comment \"ctagent:y\"");
    }

    @Test
    void onlyPacketsAddressedToThisHostAreMatchedByAFibLookupAfterThePorts() {
        assertThat(NftScript.ruleBody(RuleSpecs.localTcp(null, 9105), "ctagent:lifeline"))
                .isEqualTo("tcp dport 9105 fib daddr type local counter notrack comment \"ctagent:lifeline\"");
        assertThat(NftScript.ruleBody(RuleSpecs.localTcp("2001:db8::7", 9105, 9107), "ctagent:lifeline"))
                .isEqualTo("ip6 daddr 2001:db8::7/128 tcp dport { 9105, 9107 } fib daddr type local counter notrack "
                        + "comment \"ctagent:lifeline\"");
        assertThat(NftScript.ruleBody(spec("PREROUTING", null, "tcp", 9105, null, null, null, null, null),
                "ctagent:0a1b2c3d")).doesNotContain("fib");
    }

    @Test
    void deleteRemovesOnlyTheGivenHandlesInTheOwnTable() {
        String script = NftScript.delete(List.of(
                new KernelRule("0a1b2c3d", "inet conntrack_agent prerouting", 4, 0, 0),
                new KernelRule("0a1b2c3d", "inet conntrack_agent output", 7, 10, 290)));

        assertThat(script).isEqualTo("""
                delete rule inet conntrack_agent prerouting handle 4
                delete rule inet conntrack_agent output handle 7
                """);
    }

    @Test
    void aCommentIsAlwaysTheTagOfTheRule() {
        NotrackRule withComment = rule("abcdef01", RuleSpecParser.parse(NotrackRequest.of(null, null, "udp", 53, null,
                null, null, null, null, "dns cache")));

        assertThat(NftScript.ruleBody(withComment.spec(), withComment.tag())).endsWith("comment \"ctagent:abcdef01\"");
    }
}
