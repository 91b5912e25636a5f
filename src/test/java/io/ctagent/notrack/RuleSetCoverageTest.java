package io.ctagent.notrack;

import static io.ctagent.notrack.RuleSpecs.rule;
import static io.ctagent.notrack.RuleSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Rules that add up to a whole protocol or family. */
class RuleSetCoverageTest {

    @Test
    void twoSlash1HalvesCoverEveryIpv4Source() {
        NotrackRule low = rule("aaaaaaaa", spec(null, null, null, null, null, null, null, "0.0.0.0/1", null));
        RuleSpec high = spec(null, null, null, null, null, null, null, "128.0.0.0/1", null);

        assertThat(RuleSetCoverage.covered(high, List.of(low))).hasValueSatisfying(why -> assertThat(why)
                .startsWith("Set coverage:").contains("aaaaaaaa (src 0.0.0.0/1)", "128.0.0.0/1", "every ipv4 packet"));
        assertThat(RuleSetCoverage.covered(high, List.of())).isEmpty();
    }

    @Test
    void twoPortRangesCoverAProtocolOneLessDoesNot() {
        NotrackRule low = rule("aaaaaaaa", spec(null, null, "tcp", "1-32767", null, null, null, null, null));

        assertThat(RuleSetCoverage.covered(spec(null, null, "tcp", "32768-65535", null, null, null, null, null),
                List.of(low))).hasValueSatisfying(why -> assertThat(why).contains("every tcp ipv4 packet"));
        assertThat(RuleSetCoverage.covered(spec(null, null, "tcp", "32769-65535", null, null, null, null, null),
                List.of(low))).isEmpty();
        assertThat(RuleSetCoverage.covered(spec(null, null, "udp", "32768-65535", null, null, null, null, null),
                List.of(low))).isEmpty();
    }

    @Test
    void oneRuleWithEveryPortCoversItsProtocolAlone() {
        assertThat(RuleSetCoverage.covered(spec(null, null, "udp", "1-65535", null, null, null, null, null), List.of()))
                .hasValueSatisfying(why -> assertThat(why).contains("this rule's dports 1-65535"));
    }

    @Test
    void aRuleForAnyProtocolHelpsCoverOneProtocol() {
        NotrackRule anyProtocol = rule("aaaaaaaa", spec(null, null, null, null, null, null, null, "0.0.0.0/1", null));

        assertThat(RuleSetCoverage.covered(spec(null, null, "tcp", null, null, null, null, "128.0.0.0/1", null),
                List.of(anyProtocol))).hasValueSatisfying(why -> assertThat(why).contains("every tcp ipv4 packet"));
    }

    @Test
    void rulesInOtherDirectionsFamiliesOrFieldsDoNotAddUp() {
        NotrackRule output = rule("aaaaaaaa", spec("OUTPUT", null, null, null, null, null, null, "0.0.0.0/1", null));
        NotrackRule dst = rule("bbbbbbbb", spec(null, null, null, null, null, null, null, null, "0.0.0.0/1"));
        NotrackRule v6 = rule("cccccccc", spec(null, null, null, null, null, null, null, "::/1", null));
        NotrackRule withIface = rule("dddddddd", spec("PREROUTING", null, null, null, null, "eth0", null,
                "0.0.0.0/1", null));
        RuleSpec high = spec("PREROUTING", null, null, null, null, null, null, "128.0.0.0/1", null);

        assertThat(RuleSetCoverage.covered(high, List.of(output, dst, v6, withIface))).isEmpty();
    }

    @Test
    void ipv6HalvesCoverTheIpv6Space() {
        NotrackRule low = rule("aaaaaaaa", spec(null, null, "udp", null, null, null, null, null, "::/1"));

        assertThat(RuleSetCoverage.covered(spec(null, null, "udp", null, null, null, null, null, "8000::/1"),
                List.of(low))).hasValueSatisfying(why -> assertThat(why).contains("every udp ipv6 packet"));
    }

    @Test
    void intervalsMustLeaveNoGap() {
        BigInteger[] a = {BigInteger.ZERO, BigInteger.valueOf(10)};
        BigInteger[] b = {BigInteger.valueOf(11), BigInteger.valueOf(20)};
        BigInteger[] c = {BigInteger.valueOf(5), BigInteger.valueOf(12)};
        assertThat(RuleSetCoverage.covers(List.of(b, a), BigInteger.ZERO, BigInteger.valueOf(20))).isFalse();
        assertThat(RuleSetCoverage.covers(List.of(b, c, a), BigInteger.ZERO, BigInteger.valueOf(20))).isTrue();
        assertThat(RuleSetCoverage.covers(List.of(), BigInteger.ZERO, BigInteger.ONE)).isFalse();
    }
}
