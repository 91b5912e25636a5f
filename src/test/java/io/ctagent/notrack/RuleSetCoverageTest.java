package io.ctagent.notrack;

import static io.ctagent.notrack.RuleSpecs.rule;
import static io.ctagent.notrack.RuleSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Rules that add up to a whole protocol or family, or to more than one field's allowance. */
class RuleSetCoverageTest {

    /** The defaults: at most 1024 ports, at most 16 /16s (IPv4) or /48s (IPv6) together. */
    private final RuleSetCoverage coverage = new RuleSetCoverage(new RuleBreadth(16, 48, 1024));
    /**
     * Settings so loose that every port range and prefix narrows a rule and no share is too much:
     * only complete coverage is left to refuse.
     */
    private final RuleSetCoverage loose = new RuleSetCoverage(new RuleBreadth(1, 1, 65535));

    @Test
    void twoSlash1HalvesCoverEveryIpv4Source() {
        NotrackRule low = rule("aaaaaaaa", spec(null, null, null, null, null, null, null, "0.0.0.0/1", null));
        RuleSpec high = spec(null, null, null, null, null, null, null, "128.0.0.0/1", null);

        assertThat(loose.covered(high, List.of(low))).hasValueSatisfying(why -> assertThat(why)
                .startsWith("Set coverage:").contains("aaaaaaaa (src 0.0.0.0/1)", "128.0.0.0/1", "every ipv4 packet"));
        assertThat(loose.covered(high, List.of())).isEmpty();
    }

    @Test
    void twoPortRangesCoverAProtocolOneLessDoesNot() {
        NotrackRule low = rule("aaaaaaaa", spec(null, null, "tcp", "1-32767", null, null, null, null, null));

        assertThat(loose.covered(spec(null, null, "tcp", "32768-65535", null, null, null, null, null),
                List.of(low))).hasValueSatisfying(why -> assertThat(why).contains("every tcp ipv4 packet"));
        assertThat(loose.covered(spec(null, null, "tcp", "32769-65535", null, null, null, null, null),
                List.of(low))).isEmpty();
        assertThat(loose.covered(spec(null, null, "udp", "32768-65535", null, null, null, null, null),
                List.of(low))).isEmpty();
    }

    @Test
    void oneRuleWithEveryPortCoversItsProtocolAlone() {
        assertThat(loose.covered(spec(null, null, "udp", "1-65535", null, null, null, null, null), List.of()))
                .hasValueSatisfying(why -> assertThat(why).contains("this rule's dports 1-65535"));
    }

    @Test
    void aRuleForAnyProtocolHelpsCoverOneProtocol() {
        NotrackRule anyProtocol = rule("aaaaaaaa", spec(null, null, null, null, null, null, null, "0.0.0.0/1", null));

        assertThat(loose.covered(spec(null, null, "tcp", null, null, null, null, "128.0.0.0/1", null),
                List.of(anyProtocol))).hasValueSatisfying(why -> assertThat(why).contains("every tcp ipv4 packet"));
    }

    @Test
    void rulesInOtherDirectionsFamiliesOrFieldsDoNotAddUp() {
        NotrackRule output = rule("aaaaaaaa", spec("OUTPUT", null, null, null, null, null, null, "0.0.0.0/1", null));
        NotrackRule dst = rule("bbbbbbbb", spec(null, null, null, null, null, null, null, null, "0.0.0.0/1"));
        NotrackRule v6 = rule("cccccccc", spec(null, null, null, null, null, null, null, "::/1", null));
        NotrackRule loopback = rule("dddddddd", spec("PREROUTING", null, null, null, null, "lo", null,
                "0.0.0.0/1", null));
        RuleSpec high = spec("PREROUTING", null, null, null, null, null, null, "128.0.0.0/1", null);

        assertThat(loose.covered(high, List.of(output, dst, v6, loopback))).as("lo narrows too: two fields")
                .isEmpty();
    }

    @Test
    void anUplinkInterfaceDoesNotKeepARuleOutOfTheSum() {
        NotrackRule uplink = rule("dddddddd", spec("PREROUTING", null, null, null, null, "eth0", null,
                "0.0.0.0/1", null));

        assertThat(loose.covered(spec("PREROUTING", null, null, null, null, null, null, "128.0.0.0/1", null),
                List.of(uplink))).hasValueSatisfying(why -> assertThat(why).contains("dddddddd (src 0.0.0.0/1)"));
    }

    @Test
    void ipv6HalvesCoverTheIpv6Space() {
        NotrackRule low = rule("aaaaaaaa", spec(null, null, "udp", null, null, null, null, null, "::/1"));

        assertThat(loose.covered(spec(null, null, "udp", null, null, null, null, null, "8000::/1"),
                List.of(low))).hasValueSatisfying(why -> assertThat(why).contains("every udp ipv6 packet"));
    }

    @Test
    void slicesOfTheDefaultPortAllowanceAddUpToMoreThanIt() {
        NotrackRule first = rule("aaaaaaaa", spec(null, null, "tcp", "1-1024", null, null, null, null, null));

        assertThat(coverage.covered(spec(null, null, "tcp", "1025-2048", null, null, null, null, null),
                List.of(first))).hasValueSatisfying(why -> assertThat(why).startsWith("Set coverage:")
                .contains("aaaaaaaa (dports 1-1024)", "dports 1025-2048 brings them to 2048 ports",
                        "more than the 1024 ports (ctagent.notrack.max-ports)", "tcp ipv4 traffic"));
        assertThat(coverage.covered(spec(null, null, "tcp", "1-1024", null, null, null, null, null), List.of()))
                .as("the allowance itself").isEmpty();
        assertThat(coverage.covered(spec(null, null, "udp", "1025-2048", null, null, null, null, null),
                List.of(first))).as("another protocol").isEmpty();
    }

    @Test
    void manySlicesAreNamedShortly() {
        List<NotrackRule> slices = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            slices.add(rule("0000000" + i, spec(null, null, "tcp", (i * 100 + 1) + "-" + (i * 100 + 100), null,
                    null, null, null, null)));
        }

        assertThat(coverage.covered(spec(null, null, "tcp", "1001-1024", null, null, null, null, null), slices))
                .as("1024 ports are the allowance").isEmpty();
        assertThat(coverage.covered(spec(null, null, "tcp", "1001-1100", null, null, null, null, null), slices))
                .hasValueSatisfying(why -> assertThat(why).contains("00000004 (dports 401-500) and 5 more",
                        "brings them to 1100 ports").doesNotContain("00000005"));
    }

    @Test
    void threeSmallPortRulesStayWithinTheAllowance() {
        List<NotrackRule> dns = List.of(rule("aaaaaaaa", spec(null, null, "udp", 53, null, null, null, null, null)),
                rule("bbbbbbbb", spec(null, null, "udp", 123, null, null, null, null, null)));

        assertThat(coverage.covered(spec(null, null, "udp", "5353", null, null, null, null, null), dns)).isEmpty();
    }

    @Test
    void rulesNarrowedBySportsAddUpToo() {
        NotrackRule low = rule("aaaaaaaa", spec(null, null, "udp", null, "1000-1009", null, null, null, null));

        assertThat(coverage.covered(spec(null, null, "udp", null, "2000-2009", null, null, null, null),
                List.of(low))).hasValueSatisfying(why -> assertThat(why).contains("sports", "20 ports",
                "16 source ports"));
    }

    @Test
    void moreThanSixteenSlash16sOfSourcesAreTooMuchSixteenAreNot() {
        List<NotrackRule> sixteen = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            sixteen.add(rule(String.format("%08d", i), spec(null, null, "tcp", null, null, null, null,
                    "10." + i + ".0.0/16", null)));
        }
        RuleSpec sixteenth = spec(null, null, "tcp", null, null, null, null, "10.15.0.0/16", null);
        assertThat(coverage.covered(sixteenth, sixteen)).isEmpty();

        sixteen.add(rule("0000000f", sixteenth));
        assertThat(coverage.covered(spec(null, null, "tcp", null, null, null, null, "10.16.0.0/24", null), sixteen))
                .hasValueSatisfying(why -> assertThat(why).contains("this rule's src 10.16.0.0/24 brings them to "
                        + "1048832 addresses (17 blocks of /16)", "more than the 16 blocks of /16 "
                        + "(ctagent.notrack.min-prefix-v4)"));
        assertThat(coverage.covered(spec(null, null, "tcp", null, null, null, null, "10.0.1.0/24", null), sixteen))
                .as("inside a /16 already counted").isEmpty();
    }

    @Test
    void moreThanSixteenSlash48sOfIpv6DestinationsAreTooMuch() {
        List<NotrackRule> sixteen = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            sixteen.add(rule(String.format("%08d", i), spec(null, null, null, null, null, null, null, null,
                    "2001:db8:" + Integer.toHexString(i) + "::/48")));
        }

        assertThat(coverage.covered(spec(null, null, null, null, null, null, null, null, "2001:db8:f::/64"),
                sixteen.subList(0, 15))).isEmpty();
        assertThat(coverage.covered(spec(null, null, null, null, null, null, null, null, "2001:db8:10::/48"),
                sixteen)).hasValueSatisfying(why -> assertThat(why).contains("(17 blocks of /48)",
                "more than the 16 blocks of /48 (ctagent.notrack.min-prefix-v6)", "ipv6 traffic"));
    }

    @Test
    void intervalsMustLeaveNoGap() {
        BigInteger[] a = {BigInteger.ZERO, BigInteger.valueOf(10)};
        BigInteger[] b = {BigInteger.valueOf(11), BigInteger.valueOf(20)};
        BigInteger[] c = {BigInteger.valueOf(5), BigInteger.valueOf(12)};
        assertThat(RuleSetCoverage.size(List.of(b, a))).isEqualTo(BigInteger.valueOf(19));
        assertThat(RuleSetCoverage.size(List.of(b, c, a))).as("overlaps count once").isEqualTo(BigInteger.valueOf(20));
        assertThat(RuleSetCoverage.size(List.of())).isZero();
    }
}
