package io.ctagent.notrack;

import static io.ctagent.notrack.RuleSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class NatRuleTest {

    private static final List<NatRule> NFT = NatRule.fromNft(NftRuleset.rules(NftRulesetTest.RULESET), Set.of());

    /** `iptables -t nat -v -S` with a DNAT for DNS and a kube-proxy style endpoint rule. */
    private static final List<NatRule> IPTABLES = NatRule.fromIptables("""
            -P PREROUTING ACCEPT -c 0 0
            -N KUBE-SEP-X
            -A PREROUTING -p udp -m udp --dport 53 -c 0 0 -j DNAT --to-destination 10.0.0.53
            -A KUBE-SEP-X -p tcp -m comment --comment "default/web" -m tcp -c 0 0 -j DNAT --to-destination 10.1.0.5:8080
            -A POSTROUTING ! -p udp -c 0 0 -j MASQUERADE
            -A PREROUTING -p udp -m udp --dport 53 -c 0 0 -j ACCEPT
            """, "iptables");

    @Test
    void readsNatRulesFromNftWithFamilyProtocolAndPorts() {
        assertThat(NFT).extracting(NatRule::rule).containsExactly("tcp dport { 80, 443 } dnat ip to 10.0.0.2",
                "udp dport 53 redirect to :5353", "oifname \"eth0\" masquerade");
        assertThat(NFT.get(0).dports()).hasToString("80,443");
        assertThat(NFT.get(0).protocol()).isEqualTo("tcp");
        assertThat(NFT.get(2).family()).isEqualTo(IpFamily.IPV4);
    }

    @Test
    void readsOnlyNatTargetsFromIptables() {
        assertThat(IPTABLES).extracting(NatRule::location).containsExactly("iptables nat PREROUTING",
                "iptables nat KUBE-SEP-X", "iptables nat POSTROUTING");
        assertThat(IPTABLES.get(2).protocol()).as("a negated protocol is read as any").isNull();
    }

    @Test
    void overlapsUnlessProtocolPortsOrFamilyProveOtherwise() {
        RuleSpec dns = spec(null, null, "udp", 53, null, null, null, null, null);
        RuleSpec web = spec(null, null, "tcp", 8080, null, null, null, null, null);
        RuleSpec v6dns = spec(null, "ipv6", "udp", 53, null, null, null, null, null);

        assertThat(NFT.stream().filter(nat -> nat.overlaps(dns))).extracting(NatRule::rule)
                .containsExactly("udp dport 53 redirect to :5353", "oifname \"eth0\" masquerade");
        assertThat(NFT.stream().filter(nat -> nat.overlaps(web))).extracting(NatRule::rule)
                .containsExactly("oifname \"eth0\" masquerade");
        assertThat(IPTABLES.get(0).overlaps(dns)).isTrue();
        assertThat(IPTABLES.get(0).overlaps(v6dns)).isFalse();
        assertThat(IPTABLES.get(1).overlaps(web)).as("a DNAT without ports may see any tcp port").isTrue();
    }
}
