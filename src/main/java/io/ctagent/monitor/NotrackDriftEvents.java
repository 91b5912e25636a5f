package io.ctagent.monitor;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.ctagent.notrack.NotrackDriftDetected;

/** Turns NOTRACK drift found by the reconciler into an agent event. */
@Component
class NotrackDriftEvents {

    private final EventLog events;

    NotrackDriftEvents(EventLog events) {
        this.events = events;
    }

    @EventListener
    void on(NotrackDriftDetected drift) {
        String where = drift.netns() == null ? "the agent's namespace" : "namespace " + drift.netns();
        String message = "NOTRACK rules " + drift.missingRuleIds() + " were missing from " + drift.backend() + " in "
                + where + (drift.restored() ? " and were re-created" : " and could not be re-created");
        events.publish(EventType.NOTRACK_DRIFT, drift.restored() ? Severity.WARNING : Severity.CRITICAL, message,
                null, "agent", drift.detectedAt());
    }
}
