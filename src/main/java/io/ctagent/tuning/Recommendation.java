package io.ctagent.tuning;

import java.util.List;
import java.util.Map;

/**
 * Computed conntrack sizing for this host, each number with its reason and the PATCH body that applies
 * all of them.
 *
 * @param inputs what the numbers are computed from
 * @param kernelDefault the kernel's own rule for this RAM and release
 * @param max the recommended net.netfilter.nf_conntrack_max
 * @param buckets the recommended net.netfilter.nf_conntrack_buckets (= hashsize)
 * @param timeouts recommended timeouts; a key already fine is listed with recommended = current
 * @param hashsizeArithmetic the seed runbook's two hashsize numbers and the kernel's ratio, side by side
 * @param hashsizeVerdict which hashsize to use for the runbook's max, and why, in numbers
 * @param patch the exact body for PATCH /api/v1/sysctls; empty changes when nothing needs to change
 * @param warnings demand beyond the budget, unknown kernel release
 */
public record Recommendation(RecommendationInputs inputs, KernelDefault kernelDefault, RecommendedSetting max, RecommendedSetting buckets, List<RecommendedSetting> timeouts,
                             List<HashsizeOption> hashsizeArithmetic, String hashsizeVerdict, PatchBody patch,
                             List<String> warnings) {

    /**
     * @param memTotalBytes MemTotal from /proc/meminfo
     * @param cpus CPUs online (/proc/stat)
     * @param kernelRelease /proc/sys/kernel/osrelease
     * @param objectSize bytes per conntrack entry (nf_conntrack slab object)
     * @param observedPeak the highest entry count seen
     * @param peakSource where the peak comes from
     * @param currentMax nf_conntrack_max now
     * @param currentBuckets nf_conntrack_buckets now
     * @param budgetPercent ctagent.tuning.max-memory-percent
     * @param budgetBytes that share of MemTotal
     * @param budgetEntries entries that fit the budget
     */
    public record RecommendationInputs(long memTotalBytes, int cpus, String kernelRelease, int objectSize, long observedPeak,
                         String peakSource, long currentMax, long currentBuckets, int budgetPercent, long budgetBytes,
                         long budgetEntries) {
    }

    /** The kernel's own default for this host: buckets, max and the rule in words. */
    public record KernelDefault(long buckets, long max, String rule) {
    }

    /** One sysctl: its value now, the recommended value and why. */
    public record RecommendedSetting(String key, Long current, long recommended, String reason) {
    }

    /**
     * A hash table size for the runbook's max of 262144.
     *
     * @param buckets the size
     * @param source where the number comes from
     * @param chainLengthAtMax average entries per bucket in a full table: 2 x max / buckets
     * @param bucketBytes memory of the bucket array: buckets x 8
     */
    public record HashsizeOption(long buckets, String source, double chainLengthAtMax, long bucketBytes) {
    }

    /** The body of PATCH /api/v1/sysctls. */
    public record PatchBody(Map<String, Long> changes, boolean persist) {
    }
}
