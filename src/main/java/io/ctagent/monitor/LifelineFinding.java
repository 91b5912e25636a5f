package io.ctagent.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import io.ctagent.hostagent.AgentLifeline;

/** A finding while the lifeline is enabled but not installed: during a full table the agent will not answer. */
@Component
class LifelineFinding implements FindingSource {

    private final AgentLifeline lifeline;

    LifelineFinding(AgentLifeline lifeline) {
        this.lifeline = lifeline;
    }

    @Override
    public List<Finding> findings() {
        AgentLifeline.LifelineStatus status = lifeline.status();
        if (!status.enabled() || status.installed() || status.ports().isEmpty()) {
            return List.of();
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("ports", status.ports());
        evidence.put("backend", status.backend());
        evidence.put("reason", status.reason());
        if (status.ruleToAdd() != null) {
            evidence.put("ruleToAdd", status.ruleToAdd());
        }
        return List.of(new Finding("lifeline-not-installed", Severity.WARNING,
                "The agent's lifeline is not installed: it will not answer while the table is full",
                "The lifeline (a NOTRACK rule for the agent's own port(s) " + status.ports() + ") is not installed: "
                        + status.reason() + "."
                        + (status.ruleToAdd() == null ? "" : " Add this firewall rule, and the agent installs the "
                        + "lifeline on its next reconcile: " + status.ruleToAdd()),
                evidence, null));
    }
}
