package io.ctagent.monitor;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.usage.ConntrackUsage;
import io.ctagent.usage.UsageService;

/**
 * Shows the conntrack level and the last table-full event in /actuator/health. Always UP: a full
 * table is the host's problem, and restarting the agent (what a failing probe does) cannot fix it.
 */
@Component("conntrack")
class ConntrackHealthIndicator implements HealthIndicator {

    private final UsageService usage;
    private final EventLog events;

    ConntrackHealthIndicator(UsageService usage, EventLog events) {
        this.usage = usage;
        this.events = events;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up();
        try {
            ConntrackUsage current = usage.usage(NetnsTarget.OWN);
            health.withDetail("level", current.level())
                    .withDetail("count", current.count())
                    .withDetail("max", current.max())
                    .withDetail("usagePercent", current.usagePercent());
        } catch (RuntimeException e) {
            health.withDetail("level", "UNKNOWN").withDetail("reason", e.getMessage());
        }
        events.latest(EventType.TABLE_FULL).ifPresent(event -> health.withDetail("lastTableFull", event));
        events.latest().ifPresent(event -> health.withDetail("lastEvent", event));
        return health.build();
    }
}
