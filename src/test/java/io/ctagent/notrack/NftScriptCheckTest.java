package io.ctagent.notrack;

import static io.ctagent.notrack.RuleSpecs.rule;
import static io.ctagent.notrack.RuleSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ctagent.hostagent.HostMode;

/** The root helper's nft check: what NftScript renders passes unchanged, anything else is refused. */
class NftScriptCheckTest {

    @TempDir
    Path temp;

    @Test
    void everyScriptTheAgentRendersPassesUnchanged() {
        NotrackRule wide = rule("0a1b2c3d", spec("PREROUTING", null, "tcp", "443,8443", "1024-65535", "eth+", null,
                "10.0.0.0/8", "192.168.1.10"));
        NotrackRule v6 = rule("00000001", spec("OUTPUT", "ipv6", "udp", null, null, null, "wg0", null, null));
        NotrackRule family = rule("00000002", spec("PREROUTING", "ipv4", null, null, null, null, null, null, null));
        NotrackRule l4 = rule("00000003", spec("PREROUTING", null, "udp", null, null, null, null, null, "2001:db8::/32"));
        NotrackRule dns = RuleSpecs.udp("00000004", 53);
        String add = NftScript.add(List.of(new Placement(wide, Hook.PREROUTING),
                new Placement(v6, Hook.OUTPUT), new Placement(family, Hook.PREROUTING),
                new Placement(l4, Hook.PREROUTING), new Placement(dns, Hook.OUTPUT)));
        String delete = NftScript.delete(List.of(new KernelRule("0a1b2c3d", "inet conntrack_agent prerouting", 7, 0, 0),
                new KernelRule("0a1b2c3d", "inet conntrack_agent output", 12, 0, 0)));

        NotrackFixture fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.NFTABLES,
                "nft", "nsenter", "cat", "sudo");
        LifelineTest.lifeline(fixture).listeningOn(8080);
        String lifeline = fixture.changes().get(0).stdin();

        assertThat(NftScriptCheck.rebuild(add)).isEqualTo(add);
        assertThat(NftScriptCheck.rebuild(delete)).isEqualTo(delete);
        assertThat(lifeline).contains("comment \"ctagent:lifeline\"");
        assertThat(NftScriptCheck.rebuild(lifeline)).isEqualTo(lifeline);
    }

    @Test
    void theLifelinesLocalMatchPassesInItsOwnPreroutingRuleWithOrWithoutAnAddress() {
        NotrackRule anyAddress = rule(NotrackRule.LIFELINE_ID, RuleSpecs.localTcp(null, 9105));
        NotrackRule v6 = rule(NotrackRule.LIFELINE_ID, RuleSpecs.localTcp("2001:db8::7", 9105, 9107));
        String add = NftScript.add(List.of(new Placement(anyAddress, Hook.PREROUTING),
                new Placement(v6, Hook.PREROUTING)));

        assertThat(add).contains("tcp dport 9105 fib daddr type local counter notrack comment \"ctagent:lifeline\"");
        assertThat(NftScriptCheck.rebuild(add)).isEqualTo(add);
    }

    /** fib daddr type local anywhere but the lifeline's own prerouting rule: TCP to ports, an address at most. */
    @ParameterizedTest
    @ValueSource(strings = {
            "tcp dport 9105 fib daddr type local counter notrack comment \"ctagent:0a1b2c3d\"",
            "udp dport 53 fib daddr type local counter notrack comment \"ctagent:lifeline\"",
            "fib daddr type local counter notrack comment \"ctagent:lifeline\"",
            "meta nfproto ipv4 tcp dport 9105 fib daddr type local counter notrack comment \"ctagent:lifeline\"",
            "iifname \"eth0\" tcp dport 9105 fib daddr type local counter notrack comment \"ctagent:lifeline\"",
            "ip saddr 10.0.0.0/8 tcp dport 9105 fib daddr type local counter notrack comment \"ctagent:lifeline\"",
            "tcp sport 1024-65535 tcp dport 9105 fib daddr type local counter notrack comment \"ctagent:lifeline\"",
            "fib daddr type local tcp dport 9105 counter notrack comment \"ctagent:lifeline\"",
            "tcp dport 9105 fib saddr type local counter notrack comment \"ctagent:lifeline\"",
            "tcp dport 9105 fib daddr type unicast counter notrack comment \"ctagent:lifeline\"",
            "tcp dport 9105 fib daddr . iif type local counter notrack comment \"ctagent:lifeline\""})
    void theLocalMatchIsRefusedAnywhereElse(String rule) {
        String prerouting = "add rule inet conntrack_agent prerouting " + rule + "\n";
        String output = "add rule inet conntrack_agent output " + rule.replace("ctagent:0a1b2c3d", "ctagent:lifeline")
                + "\n";

        assertThatThrownBy(() -> NftScriptCheck.rebuild(prerouting)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NftScriptCheck.rebuild(output)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLifelinesOwnArrivingRuleIsRefusedInOutput() {
        String output = "add rule inet conntrack_agent output tcp dport 9105 fib daddr type local counter notrack "
                + "comment \"ctagent:lifeline\"\n";

        assertThatThrownBy(() -> NftScriptCheck.rebuild(output)).isInstanceOf(IllegalArgumentException.class);
        assertThat(NftScriptCheck.rebuild(output.replace(" output ", " prerouting ")))
                .isEqualTo(output.replace(" output ", " prerouting "));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "include \"/etc/shadow\"\n",
            "add table inet conntrack_agent\ninclude \"/etc/shadow\"\n",
            "flush ruleset\n",
            "add table inet filter\n",
            "add rule inet filter input udp dport 53 counter notrack comment \"ctagent:0a1b2c3d\"\n",
            "delete table inet conntrack_agent\n",
            "delete rule ip nat prerouting handle 3\n",
            "add rule inet conntrack_agent prerouting udp dport 53 counter accept comment \"ctagent:0a1b2c3d\"\n",
            "add rule inet conntrack_agent prerouting udp dport 53 counter notrack comment \"ctagent:0a1b2c3d\"; "
                    + "flush ruleset\n",
            "add rule inet conntrack_agent prerouting iifname \"a\\\" ; flush ruleset ; \\\"\" counter notrack "
                    + "comment \"ctagent:0a1b2c3d\"\n",
            "add rule inet conntrack_agent prerouting ip saddr 10.0.0.1/8 counter notrack comment \"ctagent:0a1b2c3d\"\n",
            "add rule inet conntrack_agent prerouting udp dport 0 counter notrack comment \"ctagent:0a1b2c3d\"\n",
            "add rule inet conntrack_agent prerouting udp dport 53 counter notrack comment \"ctagent:lifeline2\"\n",
            "add rule inet conntrack_agent prerouting udp dport 53 counter notrack comment \"ctagent:0a1b2c3d\"\r\n",
            "define x = 1\n",
            "add chain inet conntrack_agent input { type filter hook input priority 0; policy drop; }\n",
            "\n",
            ""})
    void anythingElseIsRefused(String script) {
        assertThatThrownBy(() -> NftScriptCheck.rebuild(script)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRefusalNamesTheLine() {
        assertThatThrownBy(() -> NftScriptCheck.rebuild("add table inet conntrack_agent\ninclude \"/etc/shadow\"\n"))
                .hasMessageContaining("line 2").hasMessageContaining("inet conntrack_agent");
    }
}
