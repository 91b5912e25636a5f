package io.ctagent.monitor;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.ctagent.tuning.Recommendation;
import io.ctagent.usage.ConntrackUsage;
import io.ctagent.usage.HistoryPoint;
import io.ctagent.usage.UsageHistory;
import io.ctagent.usage.UsageHistoryWindow;

/** Drops, early drops and failed inserts counted in the last window. */
final class DropsCheck implements DiagnosisCheck {

    private final UsageHistory history;

    DropsCheck(UsageHistory history) {
        this.history = history;
    }

    @Override
    public List<Finding> check(DiagnosisFacts facts) {
        return drops(history.window(DiagnosisService.WINDOW), facts.own(), facts.raiseTo(), facts.recommendation())
                .stream().toList();
    }

    Optional<Finding> drops(UsageHistoryWindow window, ConntrackUsage own, long raiseTo,
                                    Recommendation recommendation) {
        double drop = 0;
        double earlyDrop = 0;
        double insertFailed = 0;
        List<HistoryPoint> points = window.points();
        for (int i = 1; i < points.size(); i++) {
            double seconds = Duration.between(points.get(i - 1).time(), points.get(i).time()).toMillis() / 1000.0;
            drop += DiagnosisCheck.rate(points.get(i).dropPerSecond()) * seconds;
            earlyDrop += DiagnosisCheck.rate(points.get(i).earlyDropPerSecond()) * seconds;
            insertFailed += DiagnosisCheck.rate(points.get(i).insertFailedPerSecond()) * seconds;
        }
        if (drop + earlyDrop + insertFailed < 1) {
            return Optional.empty();
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("window", window.window().toString());
        evidence.put("drop", Math.round(drop));
        evidence.put("earlyDrop", Math.round(earlyDrop));
        evidence.put("insertFailed", Math.round(insertFailed));
        evidence.put("peakCount", window.peakCount());
        evidence.put("max", own.max());
        boolean dropping = drop + insertFailed >= 1;
        return Optional.of(new Finding("conntrack-drops", dropping ? Severity.CRITICAL : Severity.WARNING,
                dropping ? "The kernel dropped packets it could not track" : "The kernel evicted entries to make room",
                "In the last " + DiagnosisService.WINDOW.toMinutes() + " min the agent's namespace counted " + Math.round(drop)
                        + " drops, " + Math.round(earlyDrop) + " early drops and " + Math.round(insertFailed)
                        + " failed inserts (peak " + window.peakCount() + " of " + own.max() + "). Raise "
                        + "nf_conntrack_max to " + raiseTo + " (up to "
                        + DiagnosisCheck.mib(raiseTo * recommendation.inputs().objectSize()) + ").",
                evidence, DiagnosisCheck.raiseMax(raiseTo)));
    }
}
