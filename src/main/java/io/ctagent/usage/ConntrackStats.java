package io.ctagent.usage;

import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;

/**
 * Kernel connection-tracking statistics of one network namespace.
 *
 * @param netns the namespace name, or null for the agent's own
 * @param columns the column names the kernel printed, in order
 * @param totals counters summed over all CPUs (entries is not summed: it is per namespace)
 * @param perCpu one row per CPU
 */
public record ConntrackStats(@Nullable String netns, List<String> columns, StatCounters totals,
                             List<StatCounters> perCpu,
                             Instant sampledAt) {
}
