package io.ctagent.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostFactsParserTest {

    @Test
    void memTotalIsInKilobytes() {
        assertThat(MemInfoParser.memTotalBytes("""
                MemTotal:       24576000 kB
                MemFree:        20000000 kB
                """)).hasValue(24576000L * 1024);
        assertThat(MemInfoParser.memTotalBytes("MemFree: 1 kB\n")).isEmpty();
        assertThat(MemInfoParser.memTotalBytes("MemTotal: lots kB\n")).isEmpty();
    }

    @Test
    void cpusAreTheNumberedCpuLinesOfProcStat() {
        assertThat(CpuCount.fromProcStat("""
                cpu  1 2 3
                cpu0 1 2 3
                cpu1 1 2 3
                cpu17 1 2 3
                intr 5
                """)).isEqualTo(3);
    }
}
