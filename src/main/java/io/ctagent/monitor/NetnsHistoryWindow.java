package io.ctagent.monitor;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Every namespace sampled over a window, oldest first.
 *
 * @param window how far back the points reach
 * @param interval the sampling interval (the same as the agent's own history)
 * @param inode the namespace whose count each point's `count` carries, when one was asked for
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetnsHistoryWindow(Duration window, Duration interval, Long inode, List<NetnsHistoryPoint> points) {
}
