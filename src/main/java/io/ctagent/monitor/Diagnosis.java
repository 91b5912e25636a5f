package io.ctagent.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The findings for this host, most severe first.
 *
 * @param level the most severe finding's severity, INFO when there is none
 * @param window how far back rates and events were considered
 */
public record Diagnosis(Instant generatedAt, Severity level, Duration window, List<Finding> findings) {
}
