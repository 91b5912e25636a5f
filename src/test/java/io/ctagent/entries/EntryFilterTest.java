package io.ctagent.entries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.ctagent.problem.InvalidInput;

class EntryFilterTest {

    static final String TCP = """
            ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.1.1 sport=41234 dport=443 \
            src=192.168.5.5 dst=10.0.0.1 sport=8443 dport=41234 [ASSURED] mark=258 zone=0 use=2
            """;
    static final String UDP = """
            ipv4     2 udp      17 29 src=10.0.0.2 dst=8.8.8.8 sport=5353 dport=53 [UNREPLIED] \
            src=8.8.8.8 dst=10.0.0.2 sport=53 dport=5353 mark=0 zone=7 use=2
            """;
    static final String ICMP6 = """
            ipv6     10 icmpv6   58 29 src=2001:0db8:0000:0000:0000:0000:0000:0001 \
            dst=2001:0db8:0000:0000:0000:0000:0000:0002 type=128 code=0 id=119 \
            src=2001:0db8:0000:0000:0000:0000:0000:0002 dst=2001:0db8:0000:0000:0000:0000:0000:0001 type=129 \
            code=0 id=119 mark=0 zone=0 use=2
            """;

    static FilterParams params(Map<String, String> fields) {
        return new FilterParams(fields.get("family"), fields.get("protocol"), fields.get("state"), fields.get("src"),
                fields.get("dst"), fields.get("replySrc"), fields.get("replyDst"), fields.get("sport"),
                fields.get("dport"), fields.get("zone"), fields.get("mark"), fields.get("status"), null);
    }

    static EntryFilter filter(String... pairs) {
        Map<String, String> fields = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put(pairs[i], pairs[i + 1]);
        }
        return EntryFilter.parse(params(fields));
    }

    static EntryLine line(String text) {
        EntryLine entry = new EntryLine();
        byte[] bytes = text.strip().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(new EntryLineParser().parse(bytes, 0, bytes.length, entry)).isTrue();
        return entry;
    }

    private static boolean matches(EntryFilter filter, String entry) {
        return filter.matches(line(entry));
    }

    @Test
    void anEmptyFilterMatchesEverything() {
        EntryFilter all = EntryFilter.parse(FilterParams.NONE);

        assertThat(all.isEmpty()).isTrue();
        assertThat(matches(all, TCP) && matches(all, UDP) && matches(all, ICMP6)).isTrue();
    }

    @Test
    void eachFieldNarrows() {
        assertThat(matches(filter("family", "ipv6"), ICMP6)).isTrue();
        assertThat(matches(filter("family", "ipv6"), TCP)).isFalse();
        assertThat(matches(filter("protocol", "udp"), UDP)).isTrue();
        assertThat(matches(filter("protocol", "17"), UDP)).isTrue();
        assertThat(matches(filter("protocol", "udp"), TCP)).isFalse();
        assertThat(matches(filter("state", "established"), TCP)).isTrue();
        assertThat(matches(filter("state", "TIME_WAIT"), TCP)).isFalse();
        assertThat(matches(filter("state", "ESTABLISHED"), UDP)).isFalse();
        assertThat(matches(filter("src", "10.0.0.0/24"), TCP)).isTrue();
        assertThat(matches(filter("src", "10.0.0.2"), TCP)).isFalse();
        assertThat(matches(filter("dst", "8.8.8.8"), UDP)).isTrue();
        assertThat(matches(filter("dst", "2001:db8::2"), ICMP6)).isTrue();
        assertThat(matches(filter("replySrc", "192.168.5.0/24"), TCP)).isTrue();
        assertThat(matches(filter("replySrc", "10.0.1.1"), TCP)).isFalse();
        assertThat(matches(filter("replyDst", "10.0.0.1"), TCP)).isTrue();
        assertThat(matches(filter("sport", "41234"), TCP)).isTrue();
        assertThat(matches(filter("dport", "53"), UDP)).isTrue();
        assertThat(matches(filter("dport", "53"), TCP)).isFalse();
        assertThat(matches(filter("dport", "53"), ICMP6)).isFalse();
        assertThat(matches(filter("zone", "7"), UDP)).isTrue();
        assertThat(matches(filter("zone", "0"), UDP)).isFalse();
        assertThat(matches(filter("zone", "0"), TCP)).isTrue();
        assertThat(matches(filter("mark", "258"), TCP)).isTrue();
        assertThat(matches(filter("mark", "0x2/0xff"), TCP)).isTrue();
        assertThat(matches(filter("mark", "0x100/0xff00"), TCP)).isTrue();
        assertThat(matches(filter("mark", "0x1/0xff"), TCP)).isFalse();
        assertThat(matches(filter("status", "ASSURED"), TCP)).isTrue();
        assertThat(matches(filter("status", "ASSURED"), UDP)).isFalse();
        assertThat(matches(filter("status", "UNREPLIED"), UDP)).isTrue();
        assertThat(matches(filter("status", "SEEN_REPLY,ASSURED"), TCP)).isTrue();
        assertThat(matches(filter("status", "SEEN_REPLY"), ICMP6)).isTrue();
    }

    @Test
    void allGivenFieldsMustMatch() {
        assertThat(matches(filter("protocol", "tcp", "dport", "443", "src", "10.0.0.0/8"), TCP)).isTrue();
        assertThat(matches(filter("protocol", "tcp", "dport", "443", "src", "10.0.0.0/8"), UDP)).isFalse();
        assertThat(matches(filter("protocol", "tcp", "dport", "80", "src", "10.0.0.0/8"), TCP)).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "sport, 0", "dport, 65536", "dport, 22;rm", "dport, -1", "dport, '22 '", "dport, ' 22'", "dport, 0x16", "dport, 022",
            "dport, ''", "sport, 1e3",
            "src, 10.0.0.0/33", "src, 10.0.0.256", "dst, 10.0.0.1/8", "replySrc, example.com", "replyDst, ::1::",
            "state, ESTABLISHE", "state, established;", "family, ipv5", "protocol, tcpp", "protocol, 256",
            "zone, 65536", "zone, x", "mark, 4294967296", "mark, 1/0", "mark, 0x/1", "status, FOO", "status, 'ASSURED,'", "status, ' '"})
    void badValuesAre400sNamingTheField(String field, String value) {
        assertThatThrownBy(() -> filter(field, value))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    @ParameterizedTest
    @CsvSource({
            "family, ipv4, dst, ::1, dst",
            "src, 10.0.0.0/8, dst, 2001:db8::/32, dst",
            "protocol, icmp, family, ipv6, protocol",
            "protocol, udp, state, ESTABLISHED, state",
            "protocol, icmp, dport, 53, dport",
            "status, 'SEEN_REPLY,UNREPLIED', zone, 0, status"})
    void filtersThatCanNeverMatchAreRefused(String f1, String v1, String f2, String v2, String named) {
        assertThatThrownBy(() -> filter(f1, v1, f2, v2))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo(named));
    }

    @Test
    void unknownFieldsAreRefusedByName() {
        FilterParams params = new FilterParams(null, "udp", null, null, null, null, null, null, null, null, null,
                null, Map.of("dprot", "53"));

        assertThatThrownBy(() -> EntryFilter.parse(params))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("dprot"));
    }

    @Test
    void describesItselfCanonically() {
        assertThat(filter("protocol", "17", "src", "10.0.0.0/8", "dst", "10.1.2.3", "status", "assured",
                "mark", "0x2a/0xff").describe().toString())
                .isEqualTo("{protocol=udp, src=10.0.0.0/8, dst=10.1.2.3, mark=42/0xff, status=ASSURED}");
    }
}
