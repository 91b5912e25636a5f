package io.ctagent.hashsize;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * The connection hash table.
 *
 * @param hashsize the nf_conntrack module parameter (/sys/module/nf_conntrack/parameters/hashsize), null when absent
 * @param buckets net.netfilter.nf_conntrack_buckets: the table's size now (the same number as hashsize)
 * @param max net.netfilter.nf_conntrack_max
 * @param maxPerBucket max / buckets
 * @param chainLengthAtMax average hash chain length of a full table: 2 x max / buckets, since every
 *                         entry is hashed for both directions
 * @param writable whether the agent can resize the table here and now
 * @param readOnlyReason why not, when it cannot
 * @param writeMethod how it would resize: "sysctl" (net.netfilter.nf_conntrack_buckets) or "sysfs" (hashsize)
 * @param builtIn true when nf_conntrack is built into the kernel (no /sys/module/nf_conntrack/initstate)
 * @param persistedValue the size the table gets at boot, or null when nothing sets it
 * @param persistedIn where that comes from: a sysctl.d or modprobe.d file, or /proc/cmdline
 * @param warnings boot settings that disagree, long chains, ignored module options
 */
public record HashsizeView(@Nullable Long hashsize, long buckets, long max, double maxPerBucket,
                           double chainLengthAtMax,
                           boolean writable, @Nullable String readOnlyReason, @Nullable String writeMethod,
                           boolean builtIn,
                           @Nullable Long persistedValue, @Nullable String persistedIn, List<String> warnings) {
}
