package io.ctagent.entries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.ctagent.net.Cidr;
import io.ctagent.net.Family;
import io.ctagent.net.IpAddress;
import io.ctagent.problem.InvalidInput;

class AddressTest {

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, 127.0.0.1",
            "0.0.0.0, 0.0.0.0",
            "255.255.255.255, 255.255.255.255",
            "::1, ::1",
            "::, ::",
            "0000:0000:0000:0000:0000:0000:0000:0001, ::1",
            "2001:0DB8:0000:0000:0001:0000:0000:0001, 2001:db8::1:0:0:1",
            "2001:db8:0:0:1::1, 2001:db8::1:0:0:1",
            "fe80::1:2, fe80::1:2",
            "1:0:0:2:0:0:0:3, 1:0:0:2::3",
            "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
            "::ffff:10.1.2.3, ::ffff:10.1.2.3",
            "64:ff9b::192.0.2.33, 64:ff9b::c000:221"})
    void parsesAndPrintsTheCanonicalForm(String text, String canonical) {
        assertThat(IpAddress.parse("src", text).toString()).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "1..3.4", " 1.2.3.4",
            "1.2.3.4 ", "localhost", "example.com", "1.2.3.4;rm", "0x7f.0.0.1", "127.1", ":::", "1:::2",
            "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:",
            "fe80::1%eth0", "[::1]", "g::1", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4"})
    void refusesAnythingThatIsNotAPlainAddress(String text) {
        assertThatThrownBy(() -> IpAddress.parse("dst", text))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("dst"));
    }

    @Test
    void aCidrMatchesItsNetworkOnlyInItsFamily() {
        Cidr net = Cidr.parse("src", "10.1.0.0/16");
        Cidr v6 = Cidr.parse("src", "2001:db8::/32");

        assertThat(net.contains(Family.IPV4, 0, 0x0A01FFFFL)).isTrue();
        assertThat(net.contains(Family.IPV4, 0, 0x0A02_0000L)).isFalse();
        assertThat(net.contains(Family.IPV6, 0, 0x0A01_0001L)).isFalse();
        assertThat(v6.contains(Family.IPV6, 0x2001_0db8_ffff_0000L, 7)).isTrue();
        assertThat(v6.contains(Family.IPV6, 0x2001_0db9_0000_0000L, 7)).isFalse();
        assertThat(Cidr.parse("src", "::1/128").contains(Family.IPV6, 0, 1)).isTrue();
        assertThat(Cidr.parse("src", "2001:db8::8000:0:0:0/65").contains(Family.IPV6, 0x2001_0db8_0000_0000L,
                0x8000_0000_0000_0001L)).isTrue();
        assertThat(Cidr.parse("src", "0.0.0.0/0").contains(Family.IPV4, 0, 0xFFFF_FFFFL)).isTrue();
        assertThat(Cidr.parse("src", "127.0.0.1").isSingleAddress()).isTrue();
        assertThat(Cidr.parse("src", "127.0.0.1/32").toString()).isEqualTo("127.0.0.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/08", "10.0.0.0/8/8", "::/129",
            "10.0.0.1/8", "2001:db8::1/32", "/8", "10.0.0.0/a"})
    void refusesMalformedCidrsAndHostBits(String text) {
        assertThatThrownBy(() -> Cidr.parse("replyDst", text))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("replyDst"));
    }

    @Test
    void hostBitsAreRefusedWithTheNetworkNamed() {
        assertThatThrownBy(() -> Cidr.parse("src", "10.1.2.3/16"))
                .hasMessageContaining("the network is 10.1.0.0/16");
    }
}
