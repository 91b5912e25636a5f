package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;

class LifelineSafetyTest {

    private static final Ports PORT = Ports.of(new PortRange(8080, 8080));

    @Test
    void aDropPolicyThatAcceptsThePortOnlyByStateRefusesWithTheRuleToAdd() {
        String listing = """
                -P INPUT DROP
                -P FORWARD ACCEPT
                -P OUTPUT ACCEPT
                -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
                -A INPUT -p tcp -m tcp --dport 8080 -m conntrack --ctstate NEW -j ACCEPT
                """;

        LifelineSafety.Refusal refusal = LifelineSafety.iptables(listing, "iptables", PORT).orElseThrow();

        assertThat(refusal.reason()).contains("iptables filter INPUT drops by default", "8080");
        assertThat(refusal.ruleToAdd()).isEqualTo("iptables -I INPUT -p tcp -m multiport --dports 8080 "
                + "-m conntrack --ctstate UNTRACKED -j ACCEPT");
    }

    @Test
    void aStatelessAcceptOfThePortOrOfUntrackedPacketsIsSafe() {
        String stateless = """
                -P INPUT DROP
                -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
                -A INPUT -p tcp -m multiport --dports 22,8000:9000 -j ACCEPT
                """;
        String untracked = """
                -P INPUT DROP
                -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED,UNTRACKED -j ACCEPT
                """;

        assertThat(LifelineSafety.iptables(stateless, "iptables", PORT)).isEmpty();
        assertThat(LifelineSafety.iptables(untracked, "iptables", PORT)).isEmpty();
    }

    @Test
    void anAcceptOfAnotherPortOrOnlyFromSomeAddressesDoesNotCount() {
        String otherPort = """
                -P INPUT DROP
                -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
                """;
        String fromSome = """
                -P INPUT DROP
                -A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 8080 -j ACCEPT
                """;

        assertThat(LifelineSafety.iptables(otherPort, "iptables", PORT)).isPresent();
        assertThat(LifelineSafety.iptables(fromSome, "iptables", PORT)).isPresent();
    }

    @Test
    void anAcceptPolicyOrAStateRuleThatOnlyDropsInvalidIsSafe() {
        String lab = """
                -P INPUT ACCEPT
                -A INPUT -m conntrack --ctstate INVALID -j DROP
                """;

        assertThat(LifelineSafety.iptables(lab, "iptables", PORT)).isEmpty();
    }

    @Test
    void aFinalCatchAllDropCountsAsADropPolicy() {
        String listing = """
                -P OUTPUT ACCEPT
                -A OUTPUT -m state --state ESTABLISHED -j ACCEPT
                -A OUTPUT -j DROP
                """;

        assertThat(LifelineSafety.iptables(listing, "iptables", PORT).orElseThrow().ruleToAdd())
                .contains("-I OUTPUT", "--sports 8080");
    }

    @Test
    void nftInputChainWithDropPolicyAndOnlyStatefulAcceptsRefuses() {
        String ruleset = """
                table inet filter {
                	chain input {
                		type filter hook input priority filter; policy drop;
                		ct state established,related accept
                		tcp dport 8080 ct state new accept
                	}
                }
                """;

        LifelineSafety.Refusal refusal = LifelineSafety.nft(ruleset, Set.of(), PORT).orElseThrow();

        assertThat(refusal.reason()).contains("inet filter input", "drops by default");
        assertThat(refusal.ruleToAdd()).isEqualTo("nft insert rule inet filter input tcp dport 8080 ct state "
                + "untracked accept");
    }

    @Test
    void nftStatelessAcceptOfThePortIsSafeAndTablesOfIptablesNftAreLeftToIptables() {
        String stateless = """
                table inet filter {
                	chain input {
                		type filter hook input priority filter; policy drop;
                		ct state established,related accept
                		tcp dport { 22, 8080 } counter packets 3 bytes 180 accept
                	}
                }
                """;
        String managed = """
                table ip filter {
                	chain INPUT {
                		type filter hook input priority filter; policy drop;
                	}
                }
                """;

        assertThat(LifelineSafety.nft(stateless, Set.of(), PORT)).isEmpty();
        assertThat(LifelineSafety.nft(managed, Set.of("ip filter"), PORT)).isEmpty();
        assertThat(LifelineSafety.nft(managed, Set.of(), PORT)).isPresent();
    }
}
