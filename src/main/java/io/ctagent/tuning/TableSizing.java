package io.ctagent.tuning;

import java.util.ArrayList;
import java.util.List;

import io.ctagent.tuning.Recommendation.HashsizeOption;
import io.ctagent.tuning.Recommendation.RecommendationInputs;
import io.ctagent.tuning.Recommendation.RecommendedSetting;

/** Sizes max and buckets from the inputs: pure arithmetic, every step written into the reason. */
final class TableSizing {

    /** kube-proxy's --conntrack-max-per-core default: a floor many Kubernetes nodes already run with. */
    static final long PER_CORE = 32768;
    static final long ROUND = 65536;
    static final long BUCKET_BYTES = 8;
    /** The seed runbook raises max to 262144 and then offers hashsize 65536 and 16384. */
    static final long RUNBOOK_MAX = 262144;

    private TableSizing() {
    }

    record Sizing(RecommendedSetting max, RecommendedSetting buckets, List<String> warnings) {
    }

    static Sizing size(RecommendationInputs in, KernelDefaults.Rule rule, String maxKey, String bucketsKey) {
        List<String> warnings = new ArrayList<>();
        long forPeak = 2 * in.observedPeak();
        long perCore = PER_CORE * in.cpus();
        long target = Math.max(rule.max(), Math.max(forPeak, perCore));
        long rounded = roundUp(target, ROUND);
        long cap = in.budgetEntries() / 1024 * 1024;
        StringBuilder why = new StringBuilder()
                .append("The kernel's own default here is max ").append(rule.max()).append(". The observed peak is ")
                .append(in.observedPeak()).append(" entries (").append(in.peakSource()).append("); keeping it at or "
                        + "below half of max needs 2 x ").append(in.observedPeak()).append(" = ").append(forPeak)
                .append(". ").append(in.cpus()).append(" CPUs x ").append(PER_CORE).append(" per CPU (kube-proxy's "
                        + "rule) = ").append(perCore).append(". The largest, ").append(target)
                .append(", rounded up to a multiple of ").append(ROUND).append(" is ").append(rounded).append(". ");
        long max;
        if (rounded > cap) {
            max = Math.max(cap, 1024);
            why.append("That exceeds the memory budget of ").append(in.budgetPercent()).append(" % of MemTotal (")
                    .append(Bytes.human(in.budgetBytes())).append(" = ").append(in.budgetEntries())
                    .append(" entries of ").append(in.objectSize()).append(" bytes), so the recommendation stops at ")
                    .append(max).append(". ");
            warnings.add("The observed demand needs " + rounded + " entries, more than the memory budget allows ("
                    + cap + "). Shorten timeouts, NOTRACK traffic that needs no tracking, or raise "
                    + "ctagent.tuning.max-memory-percent.");
        } else if (in.currentMax() >= rounded && in.currentMax() <= cap) {
            max = in.currentMax();
            why.append("Today's max ").append(max).append(" already covers that and fits the budget: keep it. ");
        } else {
            max = rounded;
        }
        why.append("A full table of ").append(max).append(" entries x ").append(in.objectSize()).append(" bytes takes ")
                .append(Bytes.human(max * in.objectSize())).append(", ")
                .append(percent(max * in.objectSize(), in.memTotalBytes())).append(" of MemTotal (budget ")
                .append(in.budgetPercent()).append(" %).");
        RecommendedSetting maxItem = new RecommendedSetting(maxKey, in.currentMax(), max, why.toString());

        long buckets = Math.max(max, in.currentBuckets());
        String bucketsWhy = "Every entry is hashed twice (original and reply direction), so a full table averages "
                + "2 x max / buckets entries per bucket. buckets = max gives chains of 2, the kernel's own ratio since "
                + "5.15, for " + Bytes.human(max * BUCKET_BYTES) + " of buckets (8 bytes each) next to "
                + Bytes.human(max * in.objectSize()) + " for the entries. Today: " + in.currentBuckets()
                + " buckets, chains of " + round2(2.0 * in.currentMax() / in.currentBuckets()) + " at today's max."
                + (buckets > max ? " Today's table is already larger than max: keep it." : "");
        return new Sizing(maxItem, new RecommendedSetting(bucketsKey, in.currentBuckets(), buckets, bucketsWhy), warnings);
    }

    /** The runbook's 16384 and 65536 next to the kernel's ratio, all for its max of 262144. */
    static List<HashsizeOption> runbookOptions() {
        return List.of(
                option(16384, "runbook step 6: 'buckets = max / 4' applied to the old default max of 65536 "
                        + "(kernels before 5.15 on 1-4 GiB: 16384 buckets, max = 4 x 16384)"),
                option(65536, "runbook step 4: max / 4 for max 262144, the ratio of kernels before 5.15"),
                option(262144, "max / 1 for max 262144: the kernel's own ratio since 5.15"));
    }

    static String verdict(int objectSize) {
        long entries = RUNBOOK_MAX * objectSize;
        return "For the runbook's max of 262144 use 262144 buckets. 16384 buckets give chains of 32 and 65536 give "
                + "chains of 8 at a full table, against 2 for 262144. The bigger table costs 2 MiB of buckets "
                + "(262144 x 8 bytes) instead of 128 KiB or 512 KiB, while the entries themselves take "
                + Bytes.human(entries) + " (262144 x " + objectSize + " bytes): saving at most 1.9 MiB is not worth "
                + "chains 4 or 16 times longer. 16384 is the arithmetic of an older default (max 65536 / 4), not of the "
                + "runbook's own max, where max / 4 would be 65536.";
    }

    private static HashsizeOption option(long buckets, String source) {
        return new HashsizeOption(buckets, source, round2(2.0 * RUNBOOK_MAX / buckets), buckets * BUCKET_BYTES);
    }

    static long roundUp(long value, long step) {
        return (value + step - 1) / step * step;
    }

    private static String percent(long part, long whole) {
        return String.format("%.2f %%", 100.0 * part / whole);
    }

    static double round2(double value) {
        return Math.round(value * 100.0) / 100.0;
    }
}
