package io.ctagent.notrack;

import static io.ctagent.notrack.RuleSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Which rules are broad by themselves, at the prefix boundaries. */
class RuleBreadthTest {

    private final RuleBreadth breadth = new RuleBreadth(16, 48, 1024);

    @Test
    void aPortOrARangeNarrowsARule() {
        assertThat(breadth.broad(spec(null, null, "udp", 53, null, null, null, null, null))).isEmpty();
        assertThat(breadth.broad(spec(null, null, "tcp", null, "1000-1015", null, null, null, null))).isEmpty();
    }

    @Test
    void sourcePortsNarrowOnlyUpToASixtyFourthOfTheMaximum() {
        // sports 1-1024 would untrack the replies of every well-known service (web, DNS) to every client.
        assertThat(breadth.broad(spec(null, null, "tcp", null, "1-1024", null, null, null, null)))
                .hasValueSatisfying(why -> assertThat(why).contains("sports 1-1024 names 1024 ports, more than the 16 "
                        + "source ports"));
        assertThat(breadth.broad(spec(null, null, "udp", null, "53", null, null, null, null))).isEmpty();
        assertThat(new RuleBreadth(16, 48, 10).maxSourcePorts()).isEqualTo(1);
    }

    @Test
    void protocolAloneIsBroad() {
        assertThat(breadth.broad(spec(null, null, "tcp", null, null, null, null, null, null)))
                .hasValueSatisfying(why -> assertThat(why).startsWith("Breadth:")
                        .contains("protocol tcp alone", "dports of at most 1024 ports or sports of at most 16", "/16", "/48"));
        assertThat(breadth.broad(spec("OUTPUT", "ipv6", "udp", null, null, null, null, null, null))).isPresent();
    }

    @Test
    void aSlash16NarrowsASlash15DoesNot() {
        assertThat(breadth.broad(spec(null, null, null, null, null, null, null, "10.1.0.0/16", null))).isEmpty();
        assertThat(breadth.broad(spec(null, null, null, null, null, null, null, null, "10.0.0.0/15")))
                .hasValueSatisfying(why -> assertThat(why).contains("10.0.0.0/15 is a /15, shorter than the /16"));
        assertThat(breadth.broad(spec(null, null, "tcp", null, null, null, null, "0.0.0.0/1", null))).isPresent();
        assertThat(breadth.broad(spec(null, null, null, null, null, null, null, "10.0.0.0/24", null))).isEmpty();
        assertThat(breadth.broad(spec(null, null, null, null, null, null, null, "10.0.0.1", null))).isEmpty();
    }

    @Test
    void aSlash48NarrowsAnIpv6RuleASlash47DoesNot() {
        assertThat(breadth.broad(spec(null, null, null, null, null, null, null, "2001:db8:1::/48", null))).isEmpty();
        assertThat(breadth.broad(spec(null, null, null, null, null, null, null, "2001:db8::/47", null)))
                .hasValueSatisfying(why -> assertThat(why).contains("/47, shorter than the /48"));
    }

    @Test
    void onlyLoopbackNarrowsByInterfaceAnUplinkOrAWildcardDoesNot() {
        assertThat(breadth.broad(spec("PREROUTING", null, null, null, null, "lo", null, null, null))).isEmpty();
        assertThat(breadth.broad(spec("OUTPUT", null, "tcp", null, null, null, "lo", null, null))).isEmpty();
        assertThat(breadth.broad(spec("PREROUTING", null, null, null, null, "eth0", null, null, null)))
                .hasValueSatisfying(why -> assertThat(why).contains("interface eth0 is not lo", "iif or oif lo"));
        assertThat(breadth.broad(spec("OUTPUT", null, null, null, null, null, "lo+", null, null)))
                .hasValueSatisfying(why -> assertThat(why).contains("interface lo+ is a wildcard"));
        assertThat(breadth.broad(spec("OUTPUT", null, null, null, null, null, "veth+", null, null)))
                .hasValueSatisfying(why -> assertThat(why).contains("interface veth+ is a wildcard"));
    }

    @Test
    void portsNarrowARuleOnlyUpToTheMaximum() {
        assertThat(breadth.broad(spec(null, null, "tcp", "8000-8999", null, null, null, null, null))).isEmpty();
        assertThat(breadth.broad(spec(null, null, "tcp", "1-1024", null, null, null, null, null))).isEmpty();
        assertThat(breadth.broad(spec(null, null, "tcp", "1-1025", null, null, null, null, null)))
                .hasValueSatisfying(why -> assertThat(why).contains("dports 1-1025 names 1025 ports, more than the "
                        + "1024", "Narrow it with dports of at most 1024 ports or sports of at most 16"));
        assertThat(breadth.broad(spec(null, null, "tcp", "1-1000,2000-2024", null, null, null, null, null)))
                .as("a list counts every port it names").isPresent();
        assertThat(breadth.broad(spec(null, null, "udp", null, "1024-65535", null, null, null, null)))
                .hasValueSatisfying(why -> assertThat(why).contains("sports 1024-65535 names 64512 ports"));
    }

    @Test
    void theAttackShapesAreEachBroad() {
        assertThat(breadth.broad(spec(null, null, "tcp", "1-65535", "1-65535", null, null, null, null))).isPresent();
        assertThat(breadth.broad(spec(null, null, "tcp", "2-65535", null, null, null, null, null))).isPresent();
        assertThat(breadth.broad(spec(null, null, "udp", "1-65535", "1-65535", null, null, null, null))).isPresent();
        assertThat(breadth.broad(spec(null, null, "tcp", "1-65535", null, null, null, "0.0.0.0/1", null)))
                .hasValueSatisfying(why -> assertThat(why).contains("dports 1-65535 names 65535 ports",
                        "0.0.0.0/1 is a /1"));
        assertThat(breadth.broad(spec("PREROUTING", null, null, null, null, "eth0", null, null, null))).isPresent();
    }

    @Test
    void oneNarrowFieldIsEnoughWhateverElseTheRuleNames() {
        assertThat(breadth.broad(spec(null, null, "tcp", "1-65535", null, null, null, "10.1.0.0/16", null))).isEmpty();
        assertThat(breadth.broad(spec("PREROUTING", null, "udp", 53, null, "eth0", null, null, null))).isEmpty();
        assertThat(breadth.narrowing(spec("PREROUTING", null, "tcp", "1-65535", 53, "lo", null, "10.1.0.0/16",
                "0.0.0.0/1")))
                .containsExactlyInAnyOrder(RuleBreadth.Field.SRC, RuleBreadth.Field.SPORTS, RuleBreadth.Field.IIF);
    }

    @Test
    void theLimitsAreSettings() {
        RuleBreadth strict = new RuleBreadth(24, 64, 100);
        assertThat(strict.broad(spec(null, null, null, null, null, null, null, "10.1.0.0/16", null))).isPresent();
        assertThat(strict.broad(spec(null, null, null, null, null, null, null, "10.1.1.0/24", null))).isEmpty();
        assertThat(strict.broad(spec(null, null, null, null, null, null, null, "2001:db8:1::/48", null))).isPresent();
        assertThat(strict.broad(spec(null, null, "tcp", "1-100", null, null, null, null, null))).isEmpty();
        assertThat(strict.broad(spec(null, null, "tcp", "1-101", null, null, null, null, null))).isPresent();
    }

    @Test
    void maxPortsIsCheckedAtStartUp() {
        assertThatThrownBy(() -> new BreadthProperties(16, 48, 0, 64)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ctagent.notrack.max-ports is 0; it must be between 1 and 65535");
        assertThatThrownBy(() -> new BreadthProperties(16, 48, 65536, 64)).hasMessageContaining("max-ports");
        assertThat(new BreadthProperties(16, 48, 65535, 64).breadth().maxPorts()).isEqualTo(65535);
    }
}
