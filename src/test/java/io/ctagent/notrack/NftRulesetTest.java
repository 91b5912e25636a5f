package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class NftRulesetTest {

    /** `nft -a list ruleset` with a native NAT table, a set, the agent's table and an iptables-nft table. */
    static final String RULESET = """
            table ip filter { # handle 1
            	chain INPUT { # handle 1
            		type filter hook input priority filter; policy accept;
            		ct state invalid counter packets 0 bytes 0 drop # handle 2
            	}
            }
            table inet edge { # handle 3
            	set blocked { # handle 1
            		type ipv4_addr
            		elements = { 10.9.9.9,
            			     10.9.9.10 }
            	}

            	chain raw { # handle 2
            		type filter hook prerouting priority raw; policy accept;
            		udp dport 4789 counter packets 7 bytes 700 notrack comment "vxlan { not a brace }" # handle 5
            		ip saddr @blocked drop # handle 6
            	}

            	chain nat { # handle 3
            		type nat hook prerouting priority dstnat; policy accept;
            		tcp dport { 80, 443 } dnat ip to 10.0.0.2 # handle 7
            		udp dport 53 redirect to :5353 # handle 8
            	}
            }
            table ip kube { # handle 4
            	chain post { # handle 1
            		type nat hook postrouting priority srcnat; policy accept;
            		oifname "eth0" masquerade # handle 2
            	}
            }
            table inet conntrack_agent { # handle 5
            	chain output { # handle 2
            		type filter hook output priority raw; policy accept;
            		udp dport 40001 counter packets 0 bytes 0 notrack comment "ctagent:0a1b2c3d" # handle 4
            	}
            }
            """;

    @Test
    void readsRulesWithTableChainTypeAndHandleSkippingSets() {
        List<NftRuleset.Rule> rules = NftRuleset.rules(RULESET);

        assertThat(rules).extracting(NftRuleset.Rule::location).containsExactly("ip filter INPUT", "inet edge raw",
                "inet edge raw", "inet edge nat", "inet edge nat", "ip kube post", "inet conntrack_agent output");
        assertThat(rules.get(3)).isEqualTo(new NftRuleset.Rule("inet", "edge", "nat", "nat", 7,
                "tcp dport { 80, 443 } dnat ip to 10.0.0.2"));
    }

    @Test
    void foreignNotrackRulesAreThoseOutsideTheOwnTableAndOutsideIptablesNftTables() {
        List<ForeignRule> foreign = NftRuleset.foreignNotrack(NftRuleset.rules(RULESET), Set.of());

        assertThat(foreign).containsExactly(new ForeignRule("nft", "inet edge raw",
                "udp dport 4789 counter packets 7 bytes 700 notrack comment \"vxlan { not a brace }\"", 7L, 700L));
        assertThat(NftRuleset.foreignNotrack(NftRuleset.rules(RULESET), Set.of("inet edge"))).isEmpty();
    }

    @Test
    void tablesManagedByIptablesNftAreRecognisedFromNftsWarnings() {
        assertThat(NftRuleset.managedByIptables("",
                "# Warning: table ip filter is managed by iptables-nft, do not touch!\n"
                        + "# Warning: table ip raw is managed by iptables-nft, do not touch!\n"))
                .containsExactlyInAnyOrder("ip filter", "ip raw");
    }
}
