package io.ctagent.usage;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How full the connection-tracking table is.
 *
 * @param netns the namespace name, or null for the agent's own
 * @param count entries in the namespace's table (nf_conntrack_count)
 * @param max the global limit (nf_conntrack_max)
 * @param usagePercent count as a percent of max
 * @param buckets hash table buckets (nf_conntrack_buckets)
 * @param hashsize the module parameter hashsize (global), null when the file is absent
 * @param entriesPerBucket count divided by buckets: the average hash chain length
 * @param memoryBytes count x the conntrack object size plus buckets x 8
 * @param objectSize bytes per entry used for memoryBytes (from /proc/slabinfo, else 320)
 * @param level OK, WARN or CRITICAL by ctagent.usage.warn-percent / critical-percent
 * @param warnPercent the configured percent for WARN (the dashboard draws its bands from these)
 * @param criticalPercent the configured percent for CRITICAL
 * @param fullest the namespace with the most entries on the whole host (max is global, counts are per
 *                namespace): set by GET /api/v1/conntrack/usage, absent elsewhere
 */
public record ConntrackUsage(String netns, long count, long max, double usagePercent, long buckets, Long hashsize,
                             double entriesPerBucket, long memoryBytes, int objectSize, UsageLevel level,
                             Instant sampledAt, int warnPercent, int criticalPercent,
                             @JsonInclude(JsonInclude.Include.NON_NULL) FullestNamespace fullest) {

    /** One namespace's usage, without the host-wide fullest namespace. */
    public ConntrackUsage(String netns, long count, long max, double usagePercent, long buckets, Long hashsize,
                          double entriesPerBucket, long memoryBytes, int objectSize, UsageLevel level,
                          Instant sampledAt, int warnPercent, int criticalPercent) {
        this(netns, count, max, usagePercent, buckets, hashsize, entriesPerBucket, memoryBytes, objectSize, level,
                sampledAt, warnPercent, criticalPercent, null);
    }

    public ConntrackUsage withFullest(FullestNamespace namespace) {
        return new ConntrackUsage(netns, count, max, usagePercent, buckets, hashsize, entriesPerBucket, memoryBytes,
                objectSize, level, sampledAt, warnPercent, criticalPercent, namespace);
    }
}
