package io.ctagent.notrack;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.ctagent.audit.AuditResult;
import io.ctagent.change.AgentChange;
import io.ctagent.change.ChangeMode;
import io.ctagent.change.ChangePipeline;
import io.ctagent.change.Done;
import io.ctagent.hostagent.EffectiveMode;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.problem.OperatorProblem;

/**
 * Keeps the kernel in line with the state file: at start-up and every
 * ctagent.notrack.reconcile-interval it re-creates rules the kernel has lost (reboot,
 * `nft flush ruleset`, firewall reload), publishes {@link NotrackDriftDetected} and logs it.
 * It only ever adds the agent's own missing rules; it never deletes anything.
 */
@Component
class NotrackReconciler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NotrackReconciler.class);

    private final HostAgent host;
    private final NotrackBackend backend;
    private final NotrackState state;
    private final PlanRunner runner;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final ChangePipeline pipeline;
    private final Duration interval;
    private final Lifeline lifeline;
    private final Map<String, ReconcileReport> reports = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;

    NotrackReconciler(HostAgent host, NotrackBackend backend, NotrackState state, PlanRunner runner,
                      NotrackProperties properties, ApplicationEventPublisher events, ChangePipeline pipeline,
                      Clock clock, Lifeline lifeline) {
        this.pipeline = pipeline;
        this.lifeline = lifeline;
        this.host = host;
        this.backend = backend;
        this.state = state;
        this.runner = runner;
        this.events = events;
        this.clock = clock;
        this.interval = properties.reconcileInterval();
    }

    ReconcileReport lastReport(NetnsTarget netns) {
        return reports.get(NotrackState.key(netns));
    }

    /** Every namespace in the state file; one failing namespace does not stop the others. */
    void reconcileAll() {
        for (String key : state.all().keySet()) {
            NetnsTarget netns = NotrackState.target(key);
            try {
                host.requireNetns(netns);
            } catch (OperatorProblem gone) {
                // Kept in the state file: a namespace re-created under the same name gets its rules back.
                log.debug("namespace {} does not exist now; its NOTRACK rules wait for it", netns);
                continue;
            }
            try {
                reconcile(netns);
            } catch (RuntimeException e) {
                log.warn("NOTRACK reconcile of namespace {} failed: {}", netns, e.getMessage());
            }
        }
        lifeline.ensure();
    }

    /** Checks one namespace and re-creates what is missing; null when it has no rules. */
    ReconcileReport reconcile(NetnsTarget netns) {
        return runner.locked(() -> {
            List<NotrackRule> desired = state.rules(netns);
            if (desired.isEmpty()) {
                reports.remove(NotrackState.key(netns));
                return null;
            }
            KernelState now = backend.read(netns);
            List<NotrackRule> missing = desired.stream()
                    .filter(rule -> !now.locationsOf(rule.id()).containsAll(backend.locations(rule.spec())))
                    .toList();
            ReconcileReport report = missing.isEmpty() ? report(List.of(), false, null) : repair(netns, missing, now);
            reports.put(NotrackState.key(netns), report);
            return report;
        });
    }

    private ReconcileReport repair(NetnsTarget netns, List<NotrackRule> missing, KernelState now) {
        List<String> ids = missing.stream().map(NotrackRule::id).toList();
        ReconcileReport report;
        if (host.mode() != EffectiveMode.DIRECT && host.mode() != EffectiveMode.SUDO) {
            report = report(ids, false, "the agent runs in " + host.mode() + " mode and does not re-create rules");
        } else {
            try {
                boolean restored = pipeline.run(new Repair(netns, missing, now));
                report = report(ids, restored, restored ? null : "rules still missing after re-creating them");
            } catch (OperatorProblem problem) {
                report = report(ids, false, problem.getBody().getDetail());
            }
        }
        log.warn("NOTRACK drift in namespace {}: rules {} were missing from the kernel; {}", netns, ids,
                report.restored() ? "re-created" : "not re-created: " + report.error());
        events.publishEvent(new NotrackDriftDetected(netns.name().orElse(null), backend.name(), ids,
                report.restored(), report.at()));
        return report;
    }

    /** Re-creating the missing rules: a change the agent makes itself, so its actor is {@code system}. */
    private final class Repair implements AgentChange<Boolean> {

        private final NetnsTarget netns;
        private final List<NotrackRule> missing;
        private final KernelState now;
        private final List<String> ids;
        private List<CommandRecord> ran = List.of();

        Repair(NetnsTarget netns, List<NotrackRule> missing, KernelState now) {
            this.netns = netns;
            this.missing = missing;
            this.now = now;
            this.ids = missing.stream().map(NotrackRule::id).toList();
        }

        @Override
        public String action() {
            return "notrack.reconcile";
        }

        @Override
        public String target() {
            return NotrackService.auditTarget(netns, String.join(",", ids));
        }

        @Override
        public Map<String, ?> params() {
            return Map.of("missing", ids);
        }

        @Override
        public void guard(ChangeMode mode) {
            // It only re-creates the agent's own rules, as the state file lists them: nothing to refuse.
        }

        @Override
        public void apply() {
            ran = runner.apply(netns, backend.planAdd(missing, now), "re-creating NOTRACK rules " + ids, () -> { });
        }

        @Override
        public Done<Boolean> readBack() {
            KernelState after = backend.read(netns);
            boolean restored = missing.stream()
                    .allMatch(rule -> after.locationsOf(rule.id()).containsAll(backend.locations(rule.spec())));
            return new Done<>(restored ? AuditResult.APPLIED : AuditResult.FAILED, null, Map.of("restored", restored),
                    NotrackService.audited(ran), restored ? null : "rules still missing after re-creating them",
                    List.of(), (auditId, warnings) -> restored);
        }

        @Override
        public Done<Boolean> plan() {
            throw new IllegalStateException("reconcile runs only when the agent may change the host");
        }
    }

    private ReconcileReport report(List<String> missing, boolean restored, String error) {
        return new ReconcileReport(Instant.now(clock), missing, restored, error);
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "notrack-reconcile");
            thread.setDaemon(true);
            return thread;
        });
        if (interval.isZero() || interval.isNegative()) {
            scheduler.execute(this::reconcileAll);
        } else {
            scheduler.scheduleWithFixedDelay(this::reconcileAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
