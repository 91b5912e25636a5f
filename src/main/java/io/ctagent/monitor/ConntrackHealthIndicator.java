package io.ctagent.monitor;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import java.util.Optional;

import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.usage.ConntrackUsage;
import io.ctagent.usage.FullestNamespace;
import io.ctagent.usage.UsageLevel;
import io.ctagent.usage.UsageService;

/**
 * Shows the conntrack level and the last table-full event in /actuator/health. The level is the worst
 * of all namespaces (max is global, counts are per namespace) and `levelNetns` names the one it comes
 * from; count, max and usagePercent stay the agent's own. Always UP: a full table is the host's
 * problem, and restarting the agent (what a failing probe does) cannot fix it.
 */
@Component("conntrack")
class ConntrackHealthIndicator implements HealthIndicator {

    private final UsageService usage;
    private final EventLog events;
    private final NetnsSampler namespaces;

    ConntrackHealthIndicator(UsageService usage, EventLog events, NetnsSampler namespaces) {
        this.usage = usage;
        this.events = events;
        this.namespaces = namespaces;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up();
        Optional<FullestNamespace> fullest = fullest();
        try {
            ConntrackUsage current = usage.usage(NetnsTarget.OWN);
            boolean fullestIsWorse = fullest.filter(f -> f.level().compareTo(current.level()) > 0).isPresent();
            health.withDetail("level", fullestIsWorse ? fullest.get().level() : current.level())
                    .withDetail("levelNetns", fullestIsWorse ? fullest.get().label() : "own")
                    .withDetail("ownLevel", current.level())
                    .withDetail("count", current.count())
                    .withDetail("max", current.max())
                    .withDetail("usagePercent", current.usagePercent());
        } catch (RuntimeException e) {
            health.withDetail("level", fullest.map(FullestNamespace::level).map(UsageLevel::name).orElse("UNKNOWN"))
                    .withDetail("reason", e.getMessage());
            fullest.ifPresent(f -> health.withDetail("levelNetns", f.label()));
        }
        fullest.ifPresent(f -> health.withDetail("fullest", f));
        events.latest(EventType.TABLE_FULL).ifPresent(event -> health.withDetail("lastTableFull", event));
        events.latest().ifPresent(event -> health.withDetail("lastEvent", event));
        return health.build();
    }

    private Optional<FullestNamespace> fullest() {
        try {
            return namespaces.fullest();
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }
}
