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
    void aFinalRejectWithAReasonCountsAsADropPolicyAsOnRhel() {
        // RHEL's /etc/sysconfig/iptables as `iptables -t filter -v -S` prints it.
        String listing = """
                -P INPUT ACCEPT -c 0 0
                -P FORWARD ACCEPT -c 0 0
                -P OUTPUT ACCEPT -c 0 0
                -A INPUT -m state --state RELATED,ESTABLISHED -c 120 9000 -j ACCEPT
                -A INPUT -p icmp -c 0 0 -j ACCEPT
                -A INPUT -i lo -c 4 240 -j ACCEPT
                -A INPUT -p tcp -m state --state NEW -m tcp --dport 8080 -c 2 120 -j ACCEPT
                -A INPUT -c 7 420 -j REJECT --reject-with icmp-host-prohibited
                -A FORWARD -c 0 0 -j REJECT --reject-with icmp-host-prohibited
                """;

        LifelineSafety.Refusal refusal = LifelineSafety.iptables(listing, "iptables", PORT).orElseThrow();

        assertThat(refusal.reason()).contains("iptables filter INPUT drops by default");
        assertThat(refusal.ruleToAdd()).contains("-I INPUT", "--dports 8080", "--ctstate UNTRACKED");
    }

    @Test
    void aFinalRejectOrDropThatMatchesSomethingIsNotADropPolicy() {
        String listing = """
                -P INPUT ACCEPT -c 0 0
                -A INPUT -p tcp -m state --state NEW -m tcp --dport 8080 -c 2 120 -j ACCEPT
                -A INPUT -p udp -c 7 420 -j REJECT --reject-with icmp-port-unreachable
                """;

        assertThat(LifelineSafety.iptables(listing, "iptables", PORT)).isEmpty();
    }

    @Test
    void onlyInputAndOutputAndTheChainsTheyJumpToCountAsAccepting() {
        String forwardOnly = """
                -P INPUT DROP -c 0 0
                -P FORWARD DROP -c 0 0
                -P OUTPUT ACCEPT -c 0 0
                -N DOCKER
                -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -c 9 900 -j ACCEPT
                -A INPUT -p tcp -m conntrack --ctstate NEW -m tcp --dport 8080 -c 1 60 -j ACCEPT
                -A FORWARD -o docker0 -c 0 0 -j DOCKER
                -A FORWARD -p tcp -m tcp --dport 8080 -c 0 0 -j ACCEPT
                -A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 8080 -c 0 0 -j ACCEPT
                """;
        String outputForInput = """
                -P INPUT DROP -c 0 0
                -P OUTPUT ACCEPT -c 0 0
                -A OUTPUT -p tcp -m tcp --dport 8080 -c 0 0 -j ACCEPT
                """;
        String userChain = """
                -P INPUT DROP -c 0 0
                -P OUTPUT ACCEPT -c 0 0
                -N IN_public
                -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -c 9 900 -j ACCEPT
                -A INPUT -i eth0 -c 3 180 -j IN_public
                -A IN_public -p tcp -m tcp --dport 8080 -c 3 180 -j ACCEPT
                """;

        assertThat(LifelineSafety.iptables(forwardOnly, "iptables", PORT)).isPresent();
        assertThat(LifelineSafety.iptables(outputForInput, "iptables", PORT)).isPresent();
        assertThat(LifelineSafety.iptables(userChain, "iptables", PORT)).isEmpty();
    }

    @Test
    void nftBaseChainEndingInRejectOrDropCountsAsADropPolicy() {
        // As `nft list ruleset` prints a hand-written RHEL-style table (policy accept, final reject).
        String reject = """
                table inet filter {
                	chain input {
                		type filter hook input priority filter; policy accept;
                		ct state established,related accept
                		iifname "lo" accept
                		tcp dport 8080 ct state new accept
                		counter packets 7 bytes 420 reject with icmpx admin-prohibited
                	}
                }
                """;
        String drop = """
                table ip filter2 {
                	chain out {
                		type filter hook output priority filter; policy accept;
                		ct state established accept
                		drop
                	}
                }
                """;
        String conditional = """
                table inet filter {
                	chain input {
                		type filter hook input priority filter; policy accept;
                		tcp dport 8080 ct state new accept
                		udp dport 53 reject with icmpx port-unreachable
                	}
                }
                """;

        LifelineSafety.Refusal refusal = LifelineSafety.nft(reject, Set.of(), PORT).orElseThrow();

        assertThat(refusal.reason()).contains("inet filter input", "drops by default");
        assertThat(LifelineSafety.nft(drop, Set.of(), PORT).orElseThrow().ruleToAdd())
                .isEqualTo("nft insert rule ip filter2 out tcp sport 8080 ct state untracked accept");
        assertThat(LifelineSafety.nft(conditional, Set.of(), PORT)).isEmpty();
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
