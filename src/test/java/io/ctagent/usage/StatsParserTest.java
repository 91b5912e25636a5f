package io.ctagent.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class StatsParserTest {

    private static final Instant NOW = Instant.parse("2026-11-26T00:00:00Z");

    @Test
    void parsesKernel6HeaderWithSeventeenColumnsInHex() {
        String text = """
                entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
                0000002a  00000001 0000000a 00000000 00000005 00000000 00000000 00000000 00000064 00000001 00000003 00000000 00000002  00000000 00000000 00000000 00000007
                0000002a  00000000 00000014 00000000 00000006 00000000 00000000 00000000 000000c8 00000002 00000004 00000001 00000000  00000000 00000000 00000000 00000008
                """;

        ConntrackStats stats = StatsParser.parse(text, null, NOW);

        assertThat(stats.columns()).hasSize(17);
        assertThat(stats.perCpu()).hasSize(2);
        StatCounters cpu1 = stats.perCpu().get(1);
        assertThat(cpu1.cpu()).isEqualTo(1);
        assertThat(cpu1.found()).isEqualTo(20);
        assertThat(cpu1.insert()).isEqualTo(200);
        assertThat(cpu1.earlyDrop()).isEqualTo(1);
        StatCounters totals = stats.totals();
        assertThat(totals.cpu()).isNull();
        assertThat(totals.found()).isEqualTo(30);
        assertThat(totals.invalid()).isEqualTo(11);
        assertThat(totals.insert()).isEqualTo(300);
        assertThat(totals.insertFailed()).isEqualTo(3);
        assertThat(totals.drop()).isEqualTo(7);
        assertThat(totals.icmpError()).isEqualTo(2);
        assertThat(totals.searchRestart()).isEqualTo(15);
        assertThat(totals.clashResolve()).isEqualTo(1);
    }

    @Test
    void entriesIsTheNamespaceCountAndIsNotSummedOverCpus() {
        String text = """
                entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
                0000002a  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000
                0000002a  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000
                """;

        assertThat(StatsParser.parse(text, null, NOW).totals().entries()).isEqualTo(42);
    }

    @Test
    void parsesOldSixteenColumnHeaderWithoutSearchRestart() {
        // Kernels before 3.x: "searched" and "delete_list" columns, no search_restart.
        String text = """
                entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete
                00000010  00000100 00000020 00000003 00000001 00000000 00000002 00000002 00000003 00000000 00000000 00000000 00000000  00000000 00000000 00000000
                """;

        ConntrackStats stats = StatsParser.parse(text, "lab", NOW);

        assertThat(stats.columns()).hasSize(16).doesNotContain("search_restart");
        assertThat(stats.netns()).isEqualTo("lab");
        assertThat(stats.totals().found()).isEqualTo(32);
        assertThat(stats.totals().insert()).isEqualTo(3);
        assertThat(stats.totals().searchRestart()).isNull();
        assertThat(stats.totals().clashResolve()).isNull();
    }

    @Test
    void aRowShorterThanTheHeaderLeavesTheMissingCountersNull() {
        String text = """
                entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
                00000001  00000000 00000002
                """;

        StatCounters cpu0 = StatsParser.parse(text, null, NOW).perCpu().get(0);

        assertThat(cpu0.found()).isEqualTo(2);
        assertThat(cpu0.insert()).isNull();
        assertThat(cpu0.searchRestart()).isNull();
    }

    @Test
    void countersAboveSignedLongRangeStillParse() {
        String text = "entries found\n00000000 ffffffff\n";

        assertThat(StatsParser.parse(text, null, NOW).totals().found()).isEqualTo(0xffffffffL);
    }

    @Test
    void anEmptyFileIsRejected() {
        assertThatThrownBy(() -> StatsParser.parse("", null, NOW)).isInstanceOf(IllegalArgumentException.class);
    }
}
