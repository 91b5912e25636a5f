package io.ctagent.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KmsgParserTest {

    @Test
    void parsesARecordHeaderAndText() {
        KernelMessage m = KmsgParser.parseRecord("4,3071,5104211032,-;nf_conntrack: table full, dropping packet")
                .orElseThrow();

        assertThat(m.priority()).isEqualTo(4);
        assertThat(m.sequence()).isEqualTo(3071);
        assertThat(m.timestampMicros()).isEqualTo(5104211032L);
        assertThat(m.text()).isEqualTo("nf_conntrack: table full, dropping packet");
    }

    @Test
    void facilityBitsAreStrippedFromThePriority() {
        assertThat(KmsgParser.parseRecord("14,1,2,-;hello").orElseThrow().priority()).isEqualTo(6);
    }

    @Test
    void continuationLinesAndJunkAreNotRecords() {
        assertThat(KmsgParser.parseRecord(" SUBSYSTEM=net")).isEmpty();
        assertThat(KmsgParser.parseRecord("no header here")).isEmpty();
        assertThat(KmsgParser.parseRecord("x,y,z,-;text")).isEmpty();
    }

    @Test
    void recognisesTableFullWithoutANamespace() {
        KmsgParser.Recognised r = KmsgParser.recognise("nf_conntrack: table full, dropping packet").orElseThrow();

        assertThat(r.type()).isEqualTo(EventType.TABLE_FULL);
        assertThat(r.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(r.netnsInode()).isNull();
    }

    @Test
    void recognisesTableFullInANamespaceAsRecentKernelsPrintIt() {
        KmsgParser.Recognised r = KmsgParser
                .recognise("nf_conntrack: nf_conntrack: table full in netns 4026532247, dropping packet")
                .orElseThrow();

        assertThat(r.type()).isEqualTo(EventType.TABLE_FULL);
        assertThat(r.netnsInode()).isEqualTo(4026532247L);
    }

    @Test
    void recognisesExpectationTableFullAndHashMessages() {
        assertThat(KmsgParser.recognise("nf_conntrack: expectation table full").orElseThrow().type())
                .isEqualTo(EventType.EXPECTATION_TABLE_FULL);
        assertThat(KmsgParser.recognise("nf_conntrack: falling back to vmalloc for hash table").orElseThrow().type())
                .isEqualTo(EventType.CONNTRACK_HASH);
        assertThat(KmsgParser.recognise("nf_conntrack version 0.5.0 (65536 buckets, 262144 max)")
                .orElseThrow().type()).isEqualTo(EventType.CONNTRACK_HASH);
    }

    @Test
    void ignoresEverythingElse() {
        assertThat(KmsgParser.recognise("e1000: eth0 NIC Link is Up")).isEmpty();
        assertThat(KmsgParser.recognise("net_ratelimit: 12 callbacks suppressed")).isEmpty();
    }
}
