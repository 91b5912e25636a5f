package io.ctagent.usage;

import java.time.Instant;

/** One reading of the agent's own namespace: usage plus the kernel counters summed over CPUs. */
public record UsageSample(Instant time, ConntrackUsage usage, StatCounters totals) {
}
