package io.ctagent.usage;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.NetnsTarget;

/**
 * Shows the conntrack level in /actuator/health. It is always UP: a full table is the host's
 * problem, and restarting the agent (what a failing probe would do) cannot fix it.
 */
@Component("conntrack")
class ConntrackHealthIndicator implements HealthIndicator {

    private final UsageService usage;

    ConntrackHealthIndicator(UsageService usage) {
        this.usage = usage;
    }

    @Override
    public Health health() {
        try {
            ConntrackUsage current = usage.usage(NetnsTarget.OWN);
            return Health.up()
                    .withDetail("level", current.level())
                    .withDetail("count", current.count())
                    .withDetail("max", current.max())
                    .withDetail("usagePercent", current.usagePercent())
                    .build();
        } catch (RuntimeException e) {
            return Health.up().withDetail("level", "UNKNOWN").withDetail("reason", e.getMessage()).build();
        }
    }
}
