package io.ctagent.remediation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.ctagent.change.Actor;
import io.ctagent.entries.EntryService;
import io.ctagent.entries.GroupBy;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Writability;
import io.ctagent.monitor.AgentEvent;
import io.ctagent.monitor.EventLog;
import io.ctagent.monitor.EventType;
import io.ctagent.monitor.Finding;
import io.ctagent.monitor.FindingSource;
import io.ctagent.monitor.Severity;
import io.ctagent.problem.OperatorProblem;
import io.ctagent.sysctl.GlobalMax;
import io.ctagent.sysctl.SysctlChange;
import io.ctagent.tuning.RecommendationService;
import io.ctagent.usage.ConntrackUsage;
import io.ctagent.usage.UsageService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Unattended remediation (ctagent.remediation.enabled): the moment the kernel logs a table-full
 * drop in any namespace, or the agent's own drop counter rises, it raises the global
 * nf_conntrack_max by the step factor up to the ceiling, at most once per cooldown, through the same
 * change path as PUT /api/v1/sysctls/net.netfilter.nf_conntrack_max, audited with the actor
 * policy:remediation and the evidence as reason (so POST /api/v1/sysctls/rollback undoes it). At the
 * ceiling, or where max is read-only, it changes nothing and raises a critical finding naming the
 * top sources of the full namespace.
 */
@Component
class Remediation implements SmartLifecycle, FindingSource {

    static final String POLICY = "remediation";
    private static final Logger log = LoggerFactory.getLogger(Remediation.class);
    private static final Duration FINDING_KEPT = Duration.ofMinutes(15);
    private static final int TOP_SOURCES = 5;

    /** What set it off: where, how full, in words for the audit reason. */
    record Signal(NetnsTarget netns, String evidence) {
    }

    private final RemediationProperties properties;
    private final GlobalMax max;
    private final UsageService usage;
    private final RecommendationService recommendations;
    private final EntryService entries;
    private final EventLog events;
    private final MeterRegistry registry;
    private final Clock clock;
    private volatile ScheduledExecutorService worker;
    private Instant lastChange;
    private Instant failedAt;
    private volatile Instant startedAt;
    private boolean warnedCeiling;
    private Long lastDrops;
    private volatile Finding critical;
    private volatile Instant criticalAt;

    Remediation(RemediationProperties properties, GlobalMax max, UsageService usage,
                RecommendationService recommendations, EntryService entries, EventLog events, MeterRegistry registry,
                Clock clock) {
        this.properties = properties;
        this.max = max;
        this.usage = usage;
        this.recommendations = recommendations;
        this.entries = entries;
        this.events = events;
        this.registry = registry;
        this.clock = clock;
    }

    /** The kernel-log watcher's table-full event, in whatever namespace the kernel named. */
    @EventListener
    void on(AgentEvent event) {
        ScheduledExecutorService running = worker;
        if (event.type() != EventType.TABLE_FULL || running == null) {
            return;
        }
        Instant started = startedAt;
        if (event.time() != null && started != null && event.time().isBefore(started)) {
            // Replayed from before start-up (ctagent.monitor.kmsg-replay): history, not a table full now.
            log.debug("remediation: ignoring a table-full message logged at {}, before it started", event.time());
            return;
        }
        NetnsTarget netns = event.netns() == null ? NetnsTarget.OWN : NetnsTarget.parse(event.netns());
        String where = event.netns() == null ? (event.netnsInode() == null ? "the agent's namespace"
                : "namespace inode " + event.netnsInode()) : "namespace " + event.netns();
        running.execute(() -> act(new Signal(event.netnsInode() != null && event.netns() == null ? null : netns,
                "kernel log 'table full, dropping packet' in " + where)));
    }

    /**
     * The agent's own namespace's drop counter, compared between two quick reads. Package-private so a
     * test drives it as the scheduler does.
     */
    void checkDrops() {
        try {
            Long drops = usage.stats(NetnsTarget.OWN).totals().drop();
            Long before = lastDrops;
            lastDrops = drops;
            if (before != null && drops != null && drops > before) {
                act(new Signal(NetnsTarget.OWN, "drop counter rose from " + before + " to " + drops
                        + " in the agent's namespace"));
            }
        } catch (RuntimeException e) {
            log.debug("remediation: could not read the drop counter: {}", e.getMessage());
        }
    }

    private synchronized void act(Signal signal) {
        Instant now = Instant.now(clock);
        if (failedAt != null && now.isBefore(failedAt.plus(properties.cooldown()))) {
            // A failed change is tried (and reported) again after a cooldown, not at every drop check.
            log.debug("remediation: failed at {}, within the cooldown: not trying again yet", failedAt);
            return;
        }
        try {
            ConntrackUsage own = usage.usage(NetnsTarget.OWN);
            Long count = signal.netns() == null ? null : countIn(signal.netns(), own);
            Writability writable = max.writability();
            long ceiling = ceiling();
            RemediationDecision decision = RemediationDecision.decide(own.max(), ceiling, writable.writable(),
                    writable.reason(), properties.stepFactor(), lastChange, properties.cooldown(), now);
            String evidence = signal.evidence() + ": count " + (count == null ? "unknown" : count) + ", max "
                    + own.max();
            switch (decision.action()) {
                case RAISE -> raise(decision, evidence, now);
                case COOLDOWN -> log.info("remediation: {}; {}: no change", evidence, decision.why());
                case AT_CEILING, READ_ONLY -> cannotRaise(decision, signal, count, ceiling, evidence, now);
            }
        } catch (RuntimeException e) {
            String detail = e instanceof OperatorProblem problem ? problem.getBody().getDetail() : e.getMessage();
            failedAt = now;
            log.warn("remediation failed: {}", detail);
            counter("failed").increment();
            events.publish(EventType.REMEDIATION, Severity.CRITICAL, "Remediation could not raise nf_conntrack_max: "
                    + detail, null, Actor.policy(POLICY).toString(), null);
        }
    }

    private void raise(RemediationDecision decision, String evidence, Instant now) {
        String reason = "policy " + POLICY + ": " + evidence + "; " + decision.why();
        SysctlChange change = max.set(Actor.policy(POLICY), decision.from(), decision.to(), properties.persist(),
                reason.length() > 500 ? reason.substring(0, 500) : reason);
        lastChange = now;
        counter(change.dryRun() ? "dry_run" : change.applied() ? "applied" : change.result().name().toLowerCase())
                .increment();
        String message = (change.dryRun() ? "Remediation would raise" : "Remediation raised") + " nf_conntrack_max "
                + "from " + decision.from() + " to " + decision.to() + " after " + evidence + " (audit " + change.auditId()
                + "; undo with POST /api/v1/sysctls/rollback)";
        log.warn(message);
        critical = null;
        events.publish(EventType.REMEDIATION, Severity.WARNING, message, null, Actor.policy(POLICY).toString(), now);
    }

    private void cannotRaise(RemediationDecision decision, Signal signal, Long count, long ceiling, String evidence,
                             Instant now) {
        // Sustained drops signal every second: report (and read the table's top sources) once per cooldown, so
        // the event log keeps its table-full events and the table is not summarised every second.
        Finding last = critical;
        if (last != null && last.id().equals(findingId(decision)) && now.isBefore(criticalAt.plus(properties.cooldown()))) {
            return;
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("netns", signal.netns() == null ? null : signal.netns().name().orElse(null));
        facts.put("count", count);
        facts.put("max", decision.from());
        facts.put("ceiling", ceiling);
        facts.put("signal", signal.evidence());
        facts.put("topSources", topSources(signal.netns()));
        String title = decision.action() == RemediationDecision.Action.AT_CEILING
                ? "Table full and nf_conntrack_max is at the remediation ceiling"
                : "Table full and nf_conntrack_max cannot be raised from here";
        critical = new Finding(findingId(decision), Severity.CRITICAL, title, evidence + ". Remediation changes nothing: "
                + decision.why() + ". Find what fills the table (topSources), or raise the ceiling "
                + "(ctagent.remediation.max-ceiling, within ctagent.tuning.max-memory-percent) if the host has the memory.", facts, null);
        criticalAt = now;
        counter(decision.action().name().toLowerCase()).increment();
        events.publish(EventType.REMEDIATION, Severity.CRITICAL, title + ": " + evidence, null,
                Actor.policy(POLICY).toString(), now);
    }

    /**
     * The memory budget of the tuning recommendation, or max-ceiling when set and within it: the memory guard
     * refuses a max above the budget, so a higher max-ceiling could only produce refused changes.
     */
    private long ceiling() {
        long budget = recommendations.recommend().inputs().budgetEntries();
        Long configured = properties.maxCeiling();
        if (configured == null || configured <= budget) {
            return configured == null ? budget : configured;
        }
        if (!warnedCeiling) {
            warnedCeiling = true;
            log.warn("remediation: ctagent.remediation.max-ceiling {} is above the memory budget of {} entries "
                    + "(ctagent.tuning.max-memory-percent): it raises max up to {} only", configured, budget, budget);
        }
        return budget;
    }

    private static String findingId(RemediationDecision decision) {
        return decision.action() == RemediationDecision.Action.AT_CEILING ? "remediation-at-ceiling"
                : "remediation-read-only";
    }

    @Override
    public List<Finding> findings() {
        Finding finding = critical;
        Instant at = criticalAt;
        if (finding == null || at == null || at.isBefore(Instant.now(clock).minus(FINDING_KEPT))) {
            return List.of();
        }
        return List.of(finding);
    }

    private Long countIn(NetnsTarget netns, ConntrackUsage own) {
        if (netns.isOwn()) {
            return own.count();
        }
        try {
            return usage.usage(netns).count();
        } catch (RuntimeException gone) {
            return null;
        }
    }

    private List<Map<String, Object>> topSources(NetnsTarget netns) {
        if (netns == null) {
            return List.of();
        }
        try {
            return entries.summarizeAll(netns, List.of(GroupBy.SRC), TOP_SOURCES).groups().stream()
                    .map(group -> Map.<String, Object>of("src", String.valueOf(group.key().get("src")),
                            "count", group.count()))
                    .toList();
        } catch (RuntimeException unreadable) {
            return List.of(Map.of("error", String.valueOf(unreadable.getMessage())));
        }
    }

    private Counter counter(String result) {
        return Counter.builder("ctagent.remediation.actions").tag("result", result)
                .description("What unattended remediation did about a table-full signal").register(registry);
    }

    @Override
    public synchronized void start() {
        if (!properties.enabled()) {
            return;
        }
        worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "remediation");
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(100, properties.dropCheckInterval().toMillis());
        startedAt = Instant.now(clock);
        worker.scheduleWithFixedDelay(this::checkDrops, 0, every, TimeUnit.MILLISECONDS);
        log.info("unattended remediation on: x{} up to {}, at most once per {}", properties.stepFactor(),
                properties.maxCeiling() == null ? "the memory budget" : properties.maxCeiling(), properties.cooldown());
    }

    @Override
    public synchronized void stop() {
        if (worker != null) {
            worker.shutdownNow();
            worker = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return worker != null;
    }
}
