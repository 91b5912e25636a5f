package io.ctagent.usage;

import java.time.Duration;
import java.util.List;

/**
 * The sampled series for a window, oldest first.
 *
 * @param window how far back the points reach
 * @param interval the sampling interval
 * @param peakCount the highest count in the window
 */
public record UsageHistoryWindow(Duration window, Duration interval, long peakCount, List<HistoryPoint> points) {
}
