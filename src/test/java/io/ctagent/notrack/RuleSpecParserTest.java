package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ctagent.problem.InvalidInput;

class RuleSpecParserTest {

    private static NotrackRequest request(String direction, String family, String protocol, Object dports,
                                          Object sports, String iif, String oif, String src, String dst,
                                          String comment) {
        return NotrackRequest.of(direction, family, protocol, dports, sports, iif, oif, src, dst, comment);
    }

    private static NotrackRequest udpDports(Object dports) {
        return request(null, null, "udp", dports, null, null, null, null, null, null);
    }

    private static void assertField(NotrackRequest request, String field) {
        assertThatThrownBy(() -> RuleSpecParser.parse(request)).isInstanceOfSatisfying(InvalidInput.class,
                invalid -> assertThat(invalid.field()).isEqualTo(field));
    }

    @Test
    void defaultsToBothDirectionsAndBothFamilies() {
        RuleSpec spec = RuleSpecParser.parse(udpDports(53));

        assertThat(spec.direction()).isEqualTo(Direction.BOTH);
        assertThat(spec.family()).isEqualTo(IpFamily.BOTH);
        assertThat(spec.protocol()).isEqualTo(Protocol.UDP);
        assertThat(spec.dports()).isEqualTo(Ports.of(new PortRange(53, 53)));
        assertThat(spec.matchesAllTraffic()).isFalse();
    }

    @Test
    void portsMayBeANumberARangeAListOrAnArrayAndAreMergedAndSorted() {
        assertThat(RuleSpecParser.parse(udpDports("1000-2000")).dports()).hasToString("1000-2000");
        assertThat(RuleSpecParser.parse(udpDports("5353, 53")).dports()).hasToString("53,5353");
        assertThat(RuleSpecParser.parse(udpDports(List.of(53, "50-60", "8000-8010", 8011))).dports())
                .hasToString("50-60,8000-8011");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65536", "2000-1000", "53-", "-53", "1-2-3", "abc", "053", "5 3", "", "53,,54"})
    void badPortsAre400NamingTheField(String dports) {
        assertField(udpDports(dports), "dports");
    }

    @Test
    void portListsAreCappedAtFifteenMultiportSlots() {
        assertField(udpDports("1,3,5,7,9,11,13,15,17,19,21,23,25,27,29-31"), "dports");
        assertThat(RuleSpecParser.parse(udpDports("1,3,5,7,9,11,13,15,17,19,21,23,25,27,29")).dports().ranges())
                .hasSize(15);
    }

    @Test
    void wrongPortTypesAndEmptyListsAre400() {
        assertField(udpDports(true), "dports");
        assertField(udpDports(53.5), "dports");
        assertField(udpDports(List.of()), "dports");
        assertField(udpDports(List.of("53,54")), "dports");
        assertField(request(null, null, "udp", null, -1, null, null, null, null, null), "sports");
    }

    @Test
    void portsNeedAProtocol() {
        assertField(request(null, null, null, 53, null, null, null, null, null, null), "dports");
        assertField(request(null, null, null, null, 53, null, null, null, null, null), "sports");
    }

    @Test
    void enumsAreCheckedByName() {
        assertField(request("INPUT", null, "udp", null, null, null, null, null, null, null), "direction");
        assertField(request(null, "ipv5", "udp", null, null, null, null, null, null, null), "family");
        assertField(request(null, null, "icmp", null, null, null, null, null, null, null), "protocol");
        assertThat(RuleSpecParser.parse(request("output", "IPv6", "TCP", null, null, null, null, null, null, null)))
                .satisfies(spec -> {
                    assertThat(spec.direction()).isEqualTo(Direction.OUTPUT);
                    assertThat(spec.family()).isEqualTo(IpFamily.IPV6);
                    assertThat(spec.protocol()).isEqualTo(Protocol.TCP);
                });
    }

    @Test
    void theFamilyFollowsTheAddressesAndMustAgreeWithThem() {
        assertThat(RuleSpecParser.parse(request(null, null, null, null, null, null, null, "10.0.0.0/8", null, null))
                .family()).isEqualTo(IpFamily.IPV4);
        assertField(request(null, "ipv6", null, null, null, null, null, "10.0.0.0/8", null, null), "src");
        assertField(request(null, "both", null, null, null, null, null, null, "10.0.0.0/8", null), "family");
        assertField(request(null, null, null, null, null, null, null, "10.0.0.0/8", "2001:db8::/32", null), "dst");
    }

    @Test
    void addressesAreStrictCidrs() {
        assertField(request(null, null, null, null, null, null, null, "10.0.0.1/8", null, null), "src");
        assertField(request(null, null, null, null, null, null, null, null, "kube-dns.local", null), "dst");
    }

    @Test
    void interfacesBelongToTheirDirection() {
        assertField(request(null, null, null, null, null, "eth0", null, null, null, null), "iif");
        assertField(request("PREROUTING", null, null, null, null, null, "eth0", null, null, null), "oif");
        assertThat(RuleSpecParser.parse(request("PREROUTING", null, null, null, null, "cali+", null, null, null,
                null)).iif()).isEqualTo("cali+");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a-name-of-16-chr", "eth/0", "eth 0", "eth\"0", "eth'0", "eth:0", ".", "..",
            "eth\\0", "eth*", "+", "e+th", "ethé"})
    void interfaceNamesAreWhatTheKernelAllows(String name) {
        assertField(request("PREROUTING", null, null, null, null, name, null, null, null, null), "iif");
    }

    @Test
    void commentsHaveASafeCharsetAndLength() {
        assertField(request(null, null, "udp", null, null, null, null, null, null, "say \"hi\""), "comment");
        assertField(request(null, null, "udp", null, null, null, null, null, null, "a;b"), "comment");
        assertField(request(null, null, "udp", null, null, null, null, null, null, "x".repeat(129)), "comment");
        assertThat(RuleSpecParser.parse(request(null, null, "udp", null, null, null, null, null, null,
                "node-local-dns (ticket OPS-12)")).comment()).isEqualTo("node-local-dns (ticket OPS-12)");
    }

    @Test
    void unknownFieldsAreRefusedByName() {
        NotrackRequest typo = new NotrackRequest(null, null, "udp", null, null, null, null, null, null, null, null,
                null, Map.of("dport", 53));

        assertField(typo, "dport");
    }

    @Test
    void noRequestCanAskForTheLifelinesLocalDestinationMatch() {
        NotrackRequest asking = new NotrackRequest(null, null, "tcp", 8080, null, null, null, null, null, null, null,
                null, Map.of("localDst", true));

        assertField(asking, "localDst");
        assertThat(RuleSpecParser.parse(request("PREROUTING", null, "tcp", 8080, null, null, null, null, null, null))
                .localDst()).isFalse();
    }

    @Test
    void aRuleWithoutProtocolPortAddressOrInterfaceMatchesAllTraffic() {
        assertThat(RuleSpecParser.parse(request("OUTPUT", "ipv4", null, null, null, null, null, null, null, "all"))
                .matchesAllTraffic()).isTrue();
        assertThat(RuleSpecParser.parse(request(null, null, "tcp", null, null, null, null, null, null, null))
                .matchesAllTraffic()).isFalse();
    }
}
