package io.ctagent.entries;

import static io.ctagent.entries.EntryFilterTest.filter;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** Parsing only part of each line must never change an answer: every filter field and groupBy checked. */
class ParseScopeTest {

    private static final String TABLE = EntryServiceTest.table() + EntryFilterTest.TCP + EntryFilterTest.UDP
            + EntryFilterTest.ICMP6 + """
            ipv4     2 udp      17 29 src=127.0.0.1 dst=127.0.0.2 sport=55512 dport=6000 packets=1 bytes=29 [UNREPLIED] src=127.0.0.2 dst=127.0.0.1 sport=6000 dport=55512 packets=0 bytes=0 mark=42 zone=7 use=2
            ipv6     10 udp      17 29 src=::1 dst=2001:db8::53 sport=5353 dport=53 src=2001:db8::53 dst=::1 sport=53 dport=5353 mark=3 use=1
            ipv4     2 gre      47 29 timeout=30, stream_timeout=180 src=127.0.0.1 dst=127.0.0.7 srckey=0x0 dstkey=0x0 packets=1 bytes=28 [UNREPLIED] src=127.0.0.7 dst=127.0.0.1 srckey=0x0 dstkey=0x0 packets=0 bytes=0 mark=0 zone=0 use=2
            ipv4     2 tcp      6 120 TIME_WAIT src=10.0.0.9 dst=10.0.1.1 sport=1000 dport=443 src=10.0.1.1 dst=10.0.0.9 sport=443 dport=1000 [ASSURED] mark=258 zone=3 use=2
            """;

    private static final List<EntryFilter> FILTERS = List.of(EntryFilter.ALL, filter("family", "ipv6"),
            filter("protocol", "udp"), filter("state", "ESTABLISHED"), filter("src", "10.0.0.0/24"),
            filter("dst", "127.0.1.0/24"), filter("replySrc", "10.0.1.1"), filter("replyDst", "::1"),
            filter("sport", "1000"), filter("dport", "53"), filter("zone", "7"), filter("zone", "0"),
            filter("mark", "0x2/0xff"), filter("status", "ASSURED"), filter("status", "UNREPLIED"),
            filter("status", "SEEN_REPLY"));

    @Test
    void everyFilterAndGroupingCountsTheSameAsAFullParse() throws IOException {
        for (EntryFilter filter : FILTERS) {
            for (GroupBy dimension : GroupBy.values()) {
                GroupKeys keys = new GroupKeys(List.of(dimension, GroupBy.PROTOCOL));
                ParseScope scope = filter.scope().with(keys.scope());
                assertThat(count(filter, keys, scope)).as("%s by %s", filter.describe(), dimension)
                        .isEqualTo(count(filter, keys, ParseScope.FULL));
            }
        }
    }

    @Test
    void aPartlyParsedEntryIsCompletedWhenTheWholeEntryIsWanted() throws IOException {
        List<ConntrackEntry> partial = new ArrayList<>();
        List<ConntrackEntry> full = new ArrayList<>();

        TableReader.read(stream(), ParseScope.MINIMAL, e -> partial.add(e.toEntry()));
        TableReader.read(stream(), ParseScope.FULL, e -> full.add(e.toEntry()));

        assertThat(partial).isEqualTo(full);
    }

    @Test
    void minimalScopeSkipsAddressesAndTheReplySide() throws IOException {
        List<String> seen = new ArrayList<>();

        TableReader.read(stream(), ParseScope.MINIMAL, e -> seen.add(e.original.srcLo + "/" + e.reply.dport + "/"
                + e.mark + "/" + e.original.dport));

        assertThat(seen.get(0)).isEqualTo("0/-1/-1/9");
    }

    private static Map<String, Long> count(EntryFilter filter, GroupKeys keys, ParseScope scope) throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        long[] key = new long[keys.width()];
        TableReader.read(stream(), scope, e -> {
            if (filter.matches(e)) {
                keys.encode(e, key);
                counts.merge(keys.decode(key, 0).toString(), 1L, Long::sum);
            }
            return true;
        });
        return counts;
    }

    private static ByteArrayInputStream stream() {
        return new ByteArrayInputStream(TABLE.getBytes(StandardCharsets.US_ASCII));
    }
}
