package io.ctagent.monitor;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One sample of every namespace on the host. Rates are per second since the previous sample, summed
 * over the namespaces seen in both, and absent for the first sample.
 *
 * @param max the global nf_conntrack_max
 * @param namespaces how many namespaces had a readable count
 * @param fullestInode the inode of the namespace with the most entries
 * @param fullestNetns its name under /run/netns, when it has one
 * @param fullestCount its entries
 * @param fullestPercent its entries as a percent of max
 * @param count the entries of the namespace asked for with `inode`, absent when it was not seen
 * @param dropPerSecond packets dropped because a table was full, summed over namespaces
 * @param earlyDropPerSecond entries evicted early to make room, summed over namespaces
 * @param insertFailedPerSecond failed inserts, summed over namespaces
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetnsHistoryPoint(Instant time, long max, int namespaces, Long fullestInode, String fullestNetns,
                                Long fullestCount, Double fullestPercent, Long count, Double dropPerSecond,
                                Double earlyDropPerSecond, Double insertFailedPerSecond) {
}
