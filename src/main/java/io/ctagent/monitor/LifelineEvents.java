package io.ctagent.monitor;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.ctagent.notrack.LifelineChanged;

/** Turns a change of the agent's lifeline into an agent event: installed, or not and why. */
@Component
class LifelineEvents {

    private final EventLog events;

    LifelineEvents(EventLog events) {
        this.events = events;
    }

    @EventListener
    void on(LifelineChanged change) {
        String message = change.installed()
                ? "Lifeline installed: TCP port(s) " + change.ports() + " of the agent are exempt from connection "
                        + "tracking (" + change.backend() + "), so the agent answers during a full table"
                : "Lifeline not installed: " + change.reason()
                        + (change.ruleToAdd() == null ? "" : ". To allow it, add: " + change.ruleToAdd());
        events.publish(EventType.LIFELINE, change.installed() ? Severity.INFO : Severity.WARNING, message, null,
                "agent", change.at());
    }
}
