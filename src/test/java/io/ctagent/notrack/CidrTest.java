package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.ctagent.net.Cidr;
import io.ctagent.net.Family;
import io.ctagent.problem.InvalidInput;

/** NOTRACK's rules for a rule's network on top of the shared {@link Cidr}: no /0, always printed with a prefix. */
class CidrTest {

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8, 10.0.0.0/8, IPV4",
            "169.254.20.10, 169.254.20.10/32, IPV4",
            "0.0.0.0/32, 0.0.0.0/32, IPV4",
            "2001:DB8::/32, 2001:db8::/32, IPV6",
            "2001:0db8:0000:0000:0000:0000:0000:0001/128, 2001:db8::1/128, IPV6",
            "fe80::/10, fe80::/10, IPV6",
            "::1, ::1/128, IPV6",
            "2001:db8:0:0:1:0:0:0/80, 2001:db8:0:0:1::/80, IPV6",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1/128, IPV6",
            "::ffff:10.1.2.3, ::ffff:a01:203/128, IPV6",
            "1:0:0:1:0:0:0:0/64, 1:0:0:1::/64, IPV6",
    })
    void parsesStrictlyAndPrintsCanonically(String text, String canonical, Family family) {
        Cidr cidr = RuleSpecParser.cidr("src", text);

        assertThat(cidr.withPrefix()).isEqualTo(canonical);
        assertThat(cidr.family()).isEqualTo(family);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1/8", "2001:db8::1/32"})
    void refusesHostBitsAndSuggestsTheNetwork(String text) {
        assertThatThrownBy(() -> RuleSpecParser.cidr("src", text)).hasMessageContaining("host bits")
                .hasMessageContaining("did you mean");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "example.com/24", "10.0.0", "10.0.0.0.0", "256.1.1.1", "010.0.0.0/8",
            "10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/", "10.0.0.0/-1", "0.0.0.0/0", "::/0", "1::2::3", "fe80::1%eth0",
            "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "::/129", " 10.0.0.0/8", "10.0.0.0/8 ", "", "::g"})
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> RuleSpecParser.cidr("src", text)).isInstanceOfSatisfying(InvalidInput.class,
                e -> assertThat(e.field()).isEqualTo("src"));
    }
}
