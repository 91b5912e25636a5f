package io.ctagent.usage;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One point of the usage history. Rates are per second since the previous sample, and null for
 * the first point or after a counter reset.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HistoryPoint(Instant time, long count, long max, double usagePercent, Double newPerSecond,
                           Double dropPerSecond, Double earlyDropPerSecond, Double insertFailedPerSecond) {
}
