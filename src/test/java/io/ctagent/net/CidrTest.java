package io.ctagent.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.ctagent.problem.InvalidInput;

/** The one address model: strict parsing, family, prefix, containment, numbers for set arithmetic, printing. */
class CidrTest {

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8, IPV4, 8, 10.0.0.0/8, 10.0.0.0/8",
            "169.254.20.10, IPV4, 32, 169.254.20.10, 169.254.20.10/32",
            "0.0.0.0/0, IPV4, 0, 0.0.0.0/0, 0.0.0.0/0",
            "2001:DB8::/32, IPV6, 32, 2001:db8::/32, 2001:db8::/32",
            "2001:0db8:0000:0000:0000:0000:0000:0001/128, IPV6, 128, 2001:db8::1, 2001:db8::1/128",
            "::ffff:10.1.2.3, IPV6, 128, ::ffff:10.1.2.3, ::ffff:a01:203/128",
            "::ffff:0:0/96, IPV6, 96, ::ffff:0.0.0.0/96, ::ffff:0:0/96",
            "1:0:0:1:0:0:0:0/64, IPV6, 64, 1:0:0:1::/64, 1:0:0:1::/64",
    })
    void parsesStrictlyAndPrintsBothCanonicalForms(String text, Family family, int prefix, String compact,
                                                     String withPrefix) {
        Cidr cidr = Cidr.parse("src", text);

        assertThat(cidr.family()).isEqualTo(family);
        assertThat(cidr.prefix()).isEqualTo(prefix);
        assertThat(cidr.toString()).isEqualTo(compact);
        assertThat(cidr.withPrefix()).isEqualTo(withPrefix);
        assertThat(Cidr.parse("src", cidr.toString())).isEqualTo(cidr);
        assertThat(Cidr.parse("src", cidr.withPrefix())).isEqualTo(cidr);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "example.com/24", "10.0.0", "256.1.1.1", "010.0.0.0/8", "10.0.0.0/33",
            "10.0.0.0/08", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8", "::/129", "1::2::3", "fe80::1%eth0",
            "12345::", " 10.0.0.0/8", "10.0.0.0/8 ", "", "10.0.0.1/8", "2001:db8::1/32"})
    void refusesAnythingElseNamingTheField(String text) {
        assertThatThrownBy(() -> Cidr.parse("dst", text))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("dst"));
    }

    @Test
    void hostBitsAreRefusedWithTheNetworkToUseInstead() {
        assertThatThrownBy(() -> Cidr.parse("src", "2001:db8::1/32"))
                .hasMessageContaining("host bits").hasMessageContaining("2001:db8::/32");
    }

    @Test
    void containsOnlyItsOwnFamilyAndNetwork() {
        Cidr v4 = Cidr.parse("src", "10.1.0.0/16");
        Cidr mapped = Cidr.parse("src", "::ffff:10.1.0.0/112");

        assertThat(v4.contains(Family.IPV4, 0, 0x0A01_FFFFL)).isTrue();
        assertThat(v4.contains(Family.IPV4, 0, 0x0A02_0000L)).isFalse();
        assertThat(v4.contains(Family.IPV6, 0, 0x0A01_0001L)).isFalse();
        assertThat(mapped.contains(Family.IPV6, 0, 0xFFFF_0A01_0203L)).isTrue();
        assertThat(mapped.contains(Family.IPV4, 0, 0x0A01_0203L)).isFalse();
    }

    @Test
    void firstAndEndBoundTheAddressesAsUnsignedNumbers() {
        Cidr v4 = Cidr.parse("src", "255.255.255.0/24");
        Cidr v6 = Cidr.parse("src", "ffff:ffff:ffff:ffff:8000::/65");
        Cidr all = Cidr.parse("src", "::/0");

        assertThat(v4.first()).isEqualTo(BigInteger.valueOf(0xFFFF_FF00L));
        assertThat(v4.end()).isEqualTo(BigInteger.ONE.shiftLeft(32));
        assertThat(v6.first()).isEqualTo(new BigInteger("ffffffffffffffff8000000000000000", 16));
        assertThat(v6.end()).isEqualTo(BigInteger.ONE.shiftLeft(128));
        assertThat(all.first()).isZero();
        assertThat(all.end()).isEqualTo(BigInteger.ONE.shiftLeft(128));
        assertThat(Cidr.parse("src", "10.0.0.1").end()).isEqualTo(BigInteger.valueOf(0x0A00_0002L));
    }
}
