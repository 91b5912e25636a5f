package io.ctagent.entries;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Lines as this kernel (6.18) and conntrack-tools 1.4.7 print them, captured in a lab namespace. */
class EntryLineParserTest {

    static List<ConntrackEntry> parse(String table) {
        List<ConntrackEntry> entries = new ArrayList<>();
        try {
            TableReader.read(new ByteArrayInputStream(table.getBytes(StandardCharsets.US_ASCII)),
                    entry -> entries.add(entry.toEntry()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return entries;
    }

    static ConntrackEntry one(String line) {
        List<ConntrackEntry> entries = parse(line);
        assertThat(entries).hasSize(1);
        return entries.get(0);
    }

    @Test
    void procfsTcpWithStateAndAssured() {
        ConntrackEntry e = one("""
                ipv4     2 tcp      6 431999 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 sport=41234 dport=18080 \
                src=127.0.0.1 dst=127.0.0.1 sport=18080 dport=41234 [ASSURED] mark=0 zone=0 use=2
                """);

        assertThat(e.family()).isEqualTo("ipv4");
        assertThat(e.protocol()).isEqualTo("tcp");
        assertThat(e.protocolNumber()).isEqualTo(6);
        assertThat(e.timeout()).isEqualTo(431999);
        assertThat(e.state()).isEqualTo("ESTABLISHED");
        assertThat(e.original()).isEqualTo(new ConntrackEntry.Tuple("127.0.0.1", "127.0.0.1", 41234, 18080, null,
                null, null, null, null));
        assertThat(e.reply()).isEqualTo(new ConntrackEntry.Tuple("127.0.0.1", "127.0.0.1", 18080, 41234, null,
                null, null, null, null));
        assertThat(e.status()).containsExactly("SEEN_REPLY", "ASSURED");
        assertThat(e.mark()).isZero();
        assertThat(e.zone()).isZero();
        assertThat(e.use()).isEqualTo(2);
    }

    @Test
    void procfsUdpUnrepliedWithAccountingMarkAndZone() {
        ConntrackEntry e = one("""
                ipv4     2 udp      17 29 src=127.0.0.1 dst=127.0.0.2 sport=55512 dport=6000 packets=1 bytes=29 \
                [UNREPLIED] src=127.0.0.2 dst=127.0.0.1 sport=6000 dport=55512 packets=0 bytes=0 mark=42 zone=7 use=2
                """);

        assertThat(e.protocol()).isEqualTo("udp");
        assertThat(e.state()).isNull();
        assertThat(e.status()).containsExactly("UNREPLIED");
        assertThat(e.original().packets()).isEqualTo(1);
        assertThat(e.original().bytes()).isEqualTo(29);
        assertThat(e.reply().packets()).isZero();
        assertThat(e.reply().bytes()).isZero();
        assertThat(e.reply().src()).isEqualTo("127.0.0.2");
        assertThat(e.mark()).isEqualTo(42);
        assertThat(e.zone()).isEqualTo(7);
    }

    @Test
    void icmpHasTypeCodeAndIdInsteadOfPorts() {
        ConntrackEntry e = one("""
                ipv4     2 icmp     1 29 src=127.0.0.1 dst=127.0.0.5 type=8 code=0 id=4660 packets=1 bytes=28 \
                src=127.0.0.5 dst=127.0.0.1 type=0 code=0 id=4660 packets=1 bytes=28 mark=0 zone=0 use=2
                """);

        assertThat(e.protocol()).isEqualTo("icmp");
        assertThat(e.original()).isEqualTo(new ConntrackEntry.Tuple("127.0.0.1", "127.0.0.5", null, null, 8, 0, 4660,
                1L, 28L));
        assertThat(e.reply().type()).isZero();
        assertThat(e.status()).containsExactly("SEEN_REPLY");
    }

    @Test
    void procfsPrintsIpv6InFullAndTheParserCanonicalises() {
        ConntrackEntry e = one("""
                ipv6     10 udp      17 29 src=0000:0000:0000:0000:0000:0000:0000:0001 \
                dst=2001:0db8:0000:0000:0000:0000:0000:0053 sport=51200 dport=5353 packets=1 bytes=49 [UNREPLIED] \
                src=2001:0db8:0000:0000:0000:0000:0000:0053 dst=0000:0000:0000:0000:0000:0000:0000:0001 sport=5353 \
                dport=51200 packets=0 bytes=0 mark=0 zone=0 use=2
                """);

        assertThat(e.family()).isEqualTo("ipv6");
        assertThat(e.original().src()).isEqualTo("::1");
        assertThat(e.original().dst()).isEqualTo("2001:db8::53");
        assertThat(e.reply().dst()).isEqualTo("::1");
    }

    @Test
    void icmpv6() {
        ConntrackEntry e = one("""
                ipv6     10 icmpv6   58 29 src=0000:0000:0000:0000:0000:0000:0000:0001 \
                dst=0000:0000:0000:0000:0000:0000:0000:0001 type=128 code=0 id=119 packets=1 bytes=48 \
                src=0000:0000:0000:0000:0000:0000:0000:0001 dst=0000:0000:0000:0000:0000:0000:0000:0001 type=129 \
                code=0 id=119 packets=1 bytes=48 mark=0 zone=0 use=2
                """);

        assertThat(e.protocol()).isEqualTo("icmpv6");
        assertThat(e.original().type()).isEqualTo(128);
        assertThat(e.original().id()).isEqualTo(119);
        assertThat(e.reply().type()).isEqualTo(129);
    }

    @Test
    void unknownLayer4ProtocolsHaveOnlyAddresses() {
        ConntrackEntry e = one("""
                ipv4     2 unknown  253 599 src=127.0.0.1 dst=127.0.0.6 packets=1 bytes=24 [UNREPLIED] \
                src=127.0.0.6 dst=127.0.0.1 packets=0 bytes=0 mark=0 zone=0 use=2
                """);

        assertThat(e.protocol()).isEqualTo("unknown");
        assertThat(e.protocolNumber()).isEqualTo(253);
        assertThat(e.timeout()).isEqualTo(599);
        assertThat(e.original().sport()).isNull();
        assertThat(e.original().dst()).isEqualTo("127.0.0.6");
    }

    @Test
    void greWithItsExtraTimeoutsAndKeys() {
        ConntrackEntry e = one("""
                ipv4     2 gre      47 29 timeout=30, stream_timeout=180 src=127.0.0.1 dst=127.0.0.7 srckey=0x0 \
                dstkey=0x0 packets=1 bytes=28 [UNREPLIED] src=127.0.0.7 dst=127.0.0.1 srckey=0x0 dstkey=0x0 \
                packets=0 bytes=0 mark=0 zone=0 use=2
                """);

        assertThat(e.protocol()).isEqualTo("gre");
        assertThat(e.timeout()).isEqualTo(29);
        assertThat(e.state()).isNull();
        assertThat(e.original().dst()).isEqualTo("127.0.0.7");
        assertThat(e.original().packets()).isEqualTo(1);
    }

    @Test
    void sctpStateAndOffloadAndSecctx() {
        ConntrackEntry e = one("""
                ipv4     2 sctp     132 210 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=38412 \
                src=10.0.0.2 dst=10.0.0.1 sport=38412 dport=5000 [OFFLOAD] mark=0 secctx=system_u:object_r:x:s0 \
                zone=3 use=3
                """);

        assertThat(e.protocol()).isEqualTo("sctp");
        assertThat(e.state()).isEqualTo("ESTABLISHED");
        assertThat(e.status()).containsExactly("SEEN_REPLY", "ASSURED", "OFFLOAD");
        assertThat(e.zone()).isEqualTo(3);
    }

    @Test
    void conntrackExtendedOutputHasTheSameShapeWithCompressedIpv6AndZoneOnlyWhenSet() {
        List<ConntrackEntry> entries = parse("""
                ipv4     2 udp      17 29 src=127.0.0.1 dst=127.0.0.3 sport=55512 dport=6001 packets=1 bytes=29 [UNREPLIED] src=127.0.0.3 dst=127.0.0.1 sport=6001 dport=55512 packets=0 bytes=0 mark=42 use=1
                ipv4     2 icmp     1 29 src=127.0.0.1 dst=127.0.0.5 type=8 code=0 id=4660 packets=1 bytes=28 src=127.0.0.5 dst=127.0.0.1 type=0 code=0 id=4660 packets=1 bytes=28 mark=0 use=1
                ipv6     10 udp      17 29 src=::1 dst=::1 sport=51200 dport=5353 packets=1 bytes=49 [UNREPLIED] src=::1 dst=::1 sport=5353 dport=51200 packets=0 bytes=0 mark=0 use=1
                ipv4     2 udp      17 29 src=127.0.0.1 dst=127.0.0.2 sport=55512 dport=6000 packets=1 bytes=29 [UNREPLIED] src=127.0.0.2 dst=127.0.0.1 sport=6000 dport=55512 packets=0 bytes=0 mark=0 zone=7 use=1
                ipv6     10 icmpv6   58 29 src=::1 dst=::1 type=128 code=0 id=119 packets=1 bytes=48 src=::1 dst=::1 type=129 code=0 id=119 packets=1 bytes=48 mark=0 use=1
                ipv4     2 unknown  253 599 src=127.0.0.1 dst=127.0.0.6 packets=1 bytes=24 [UNREPLIED] src=127.0.0.6 dst=127.0.0.1 packets=0 bytes=0 mark=0 use=1
                ipv4     2 gre      47 29 src=127.0.0.1 dst=127.0.0.7 srckey=0x0 dstkey=0x0 packets=1 bytes=28 [UNREPLIED] src=127.0.0.7 dst=127.0.0.1 srckey=0x0 dstkey=0x0 packets=0 bytes=0 mark=0 use=1
                ipv4     2 tcp      6 431999 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 sport=51344 dport=18080 src=127.0.0.1 dst=127.0.0.1 sport=18080 dport=51344 [ASSURED] mark=0 use=1
                """);

        assertThat(entries).extracting(ConntrackEntry::protocol)
                .containsExactly("udp", "icmp", "udp", "udp", "icmpv6", "unknown", "gre", "tcp");
        assertThat(entries.get(0).mark()).isEqualTo(42);
        assertThat(entries.get(0).zone()).isZero();
        assertThat(entries.get(3).zone()).isEqualTo(7);
        assertThat(entries.get(2).original().src()).isEqualTo("::1");
        assertThat(entries.get(4).original().id()).isEqualTo(119);
        assertThat(entries.get(7).state()).isEqualTo("ESTABLISHED");
        assertThat(entries.get(7).status()).containsExactly("SEEN_REPLY", "ASSURED");
    }

    @Test
    void withoutAccountingThereAreNoCounters() {
        ConntrackEntry e = one("""
                ipv4     2 udp      17 29 src=127.0.0.1 dst=127.0.0.4 sport=35177 dport=5002 [UNREPLIED] \
                src=127.0.0.4 dst=127.0.0.1 sport=5002 dport=35177 mark=0 zone=0 use=2
                """);

        assertThat(e.original().packets()).isNull();
        assertThat(e.original().bytes()).isNull();
    }

    @Test
    void linesThatAreNotEntriesAreSkippedNotFatal() throws IOException {
        String table = """
                ipv4     2 udp      17 29 src=127.0.0.1 dst=127.0.0.4 sport=1 dport=2 [UNREPLIED] src=127.0.0.4 dst=127.0.0.1 sport=2 dport=1 mark=0 use=2

                conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.
                ipv4     2 udp      17 29 src=999.0.0.1 dst=127.0.0.4 sport=1 dport=2 src=127.0.0.4 dst=127.0.0.1 sport=2 dport=1
                ipv4     2 udp      17 29 src=127.0.0.1 dst=127.0.0.4 sport=1 dport=2
                bridge   7 udp      17 29 src=127.0.0.1 dst=127.0.0.4 sport=1 dport=2 src=127.0.0.4 dst=127.0.0.1
                ipv4     2 tcp      6 x ESTABLISHED src=127.0.0.1 dst=127.0.0.1 src=127.0.0.1 dst=127.0.0.1
                """;
        List<ConntrackEntry> entries = new ArrayList<>();

        TableReader.Counts counts = TableReader.read(new ByteArrayInputStream(table.getBytes(StandardCharsets.US_ASCII)),
                entry -> entries.add(entry.toEntry()));

        assertThat(entries).hasSize(1);
        assertThat(counts.entries()).isEqualTo(1);
        assertThat(counts.skipped()).isEqualTo(5);
    }
}
