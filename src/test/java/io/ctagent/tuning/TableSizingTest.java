package io.ctagent.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.ctagent.tuning.Recommendation.HashsizeOption;
import io.ctagent.tuning.Recommendation.RecommendationInputs;

class TableSizingTest {

    private static final long GIB = 1L << 30;

    private static RecommendationInputs inputs(long memTotal, int cpus, long peak, long currentMax, long currentBuckets) {
        long budget = memTotal / 100 * 10;
        return new RecommendationInputs(memTotal, cpus, "6.18.0", 256, peak, "test", currentMax, currentBuckets, 10, budget,
                budget / 256);
    }

    private static TableSizing.Sizing size(RecommendationInputs in) {
        return TableSizing.size(in, KernelDefaults.forHost(in.memTotalBytes(), in.kernelRelease()), "max", "buckets");
    }

    @Test
    void thePeakAtHalfOfMaxDrivesTheSizeRoundedUp() {
        TableSizing.Sizing sizing = size(inputs(24 * GIB, 4, 235930, 262144, 65536));

        assertThat(sizing.max().recommended()).isEqualTo(524288);
        assertThat(sizing.max().reason()).contains("2 x 235930 = 471860").contains("524288")
                .contains("4 CPUs x 32768");
        assertThat(sizing.buckets().recommended()).isEqualTo(524288);
        assertThat(sizing.buckets().reason()).contains("chains of 2").contains("chains of 8.0");
        assertThat(sizing.warnings()).isEmpty();
    }

    @Test
    void aQuietHostGetsTheKernelDefaultOrThePerCpuFloor() {
        assertThat(size(inputs(24 * GIB, 4, 10, 262144, 262144)).max().recommended()).isEqualTo(262144);
        assertThat(size(inputs(24 * GIB, 16, 10, 262144, 262144)).max().recommended()).isEqualTo(524288);
    }

    @Test
    void theMemoryBudgetCapsTheRecommendationWithAWarning() {
        // 2 GiB: budget 214748364 bytes = 838860 entries of 256 bytes, capped to a multiple of 1024.
        TableSizing.Sizing sizing = size(inputs(2 * GIB, 2, 1_000_000, 65536, 65536));

        assertThat(sizing.max().recommended()).isEqualTo(838656);
        assertThat(sizing.warnings()).singleElement().asString().contains("more than the memory budget");
    }

    @Test
    void aLargerMaxThatFitsTheBudgetIsKept() {
        TableSizing.Sizing sizing = size(inputs(24 * GIB, 4, 1000, 1_048_576, 2_097_152));

        assertThat(sizing.max().recommended()).isEqualTo(1_048_576);
        assertThat(sizing.max().reason()).contains("keep it");
        assertThat(sizing.buckets().recommended()).isEqualTo(2_097_152);
    }

    @Test
    void theRunbooksTwoHashsizesAreSettledByChainLengthAndMemory() {
        List<HashsizeOption> options = TableSizing.runbookOptions();

        assertThat(options).extracting(HashsizeOption::buckets).containsExactly(16384L, 65536L, 262144L);
        assertThat(options).extracting(HashsizeOption::chainLengthAtMax).containsExactly(32.0, 8.0, 2.0);
        assertThat(options).extracting(HashsizeOption::bucketBytes).containsExactly(131072L, 524288L, 2097152L);
        assertThat(TableSizing.verdict(256)).contains("use 262144 buckets").contains("64.0 MiB")
                .contains("max 65536 / 4");
    }
}
