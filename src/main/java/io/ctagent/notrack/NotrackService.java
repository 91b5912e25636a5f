package io.ctagent.notrack;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import io.ctagent.audit.AuditCommand;
import io.ctagent.audit.AuditResult;
import io.ctagent.change.Change;
import io.ctagent.change.ChangeMode;
import io.ctagent.change.ChangePipeline;
import io.ctagent.change.Done;
import io.ctagent.hostagent.EffectiveMode;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.problem.OperatorProblem;

/**
 * Lists, adds and deletes the agent's NOTRACK rules of a namespace. Every change is one the
 * {@link ChangePipeline} runs: guards -> intent -> apply through the backend -> read back, then the
 * state file -> outcome; a refusal before the intent is audited too.
 */
@Service
public class NotrackService {

    private final HostAgent host;
    private final NotrackBackend backend;
    private final NotrackState state;
    private final NamespaceRules others;
    private final ChangeGuards guards;
    private final PlanRunner runner;
    private final NotrackReconciler reconciler;
    private final Clock clock;
    private final ChangePipeline pipeline;

    NotrackService(HostAgent host, NotrackBackend backend, NotrackState state, NamespaceRules others,
                   ChangeGuards guards, PlanRunner runner, NotrackReconciler reconciler, ChangePipeline pipeline,
                   Clock clock) {
        this.pipeline = pipeline;
        this.host = host;
        this.backend = backend;
        this.state = state;
        this.others = others;
        this.guards = guards;
        this.runner = runner;
        this.reconciler = reconciler;
        this.clock = clock;
    }

    public NotrackRules list(NetnsTarget netns, boolean includeForeign) {
        host.requireNetns(netns);
        List<String> warnings = new ArrayList<>();
        KernelState now = readOrWarn(netns, warnings);
        List<RuleStatus> rules = statuses(netns, now);
        for (RuleStatus rule : rules) {
            if (Boolean.FALSE.equals(rule.inKernel())) {
                warnings.add("Rule " + rule.id() + " is not (fully) in the kernel (drift: reboot, flush or firewall "
                        + "reload); reconcile re-creates it.");
            } else if (!rule.inStateFile()) {
                warnings.add("The kernel holds rule " + rule.id() + " tagged as the agent's, but the state file "
                        + "does not; DELETE it, or it stays until the table is flushed.");
            }
        }
        List<ForeignRule> foreign = null;
        if (includeForeign) {
            NamespaceRules.Survey survey = others.survey(netns);
            foreign = survey.foreignNotrack();
            warnings.addAll(survey.problems());
        }
        return new NotrackRules(name(netns), backend.name(), rules, foreign, reconciler.lastReport(netns), warnings);
    }

    public RuleStatus get(NetnsTarget netns, String id) {
        NotrackRule.parseId(id);
        host.requireNetns(netns);
        KernelState now = readOrWarn(netns, new ArrayList<>());
        return statuses(netns, now).stream().filter(rule -> rule.id().equals(id)).findFirst()
                .orElseThrow(() -> notFound(netns, id));
    }

    /**
     * Adds a rule. {@code callerIsAdmin} is the admin-role hook: the controller derives it from the
     * request's authorities, so the guard on match-all rules holds once roles exist.
     */
    public NotrackChange create(NetnsTarget netns, NotrackRequest request, boolean callerIsAdmin) {
        RuleSpec spec = RuleSpecParser.parse(request);
        return pipeline.run(new AddRule(netns, spec, request, callerIsAdmin));
    }

    /** Adding one rule, as the change pipeline runs it. */
    private final class AddRule implements Change<NotrackChange> {

        private final NetnsTarget netns;
        private final RuleSpec spec;
        private final NotrackRequest request;
        private final boolean callerIsAdmin;
        private final List<String> warnings = new ArrayList<>();
        private List<NotrackRule> desired;
        private KernelState now;
        private RuleStatus existing;
        private NotrackRule rule;
        private List<HostCommand> plan;
        private List<CommandRecord> ran = List.of();

        AddRule(NetnsTarget netns, RuleSpec spec, NotrackRequest request, boolean callerIsAdmin) {
            this.netns = netns;
            this.spec = spec;
            this.request = request;
            this.callerIsAdmin = callerIsAdmin;
        }

        @Override
        public String action() {
            return "notrack.add";
        }

        @Override
        public String target() {
            return auditTarget(netns, "new");
        }

        @Override
        public Map<String, ?> params() {
            return Map.of("request", request);
        }

        @Override
        public boolean dryRunAsked() {
            return request.dryRunAsked();
        }

        @Override
        public void guard(ChangeMode mode) {
            warnings.addAll(guards.matchAll(spec, request.forceAsked(), callerIsAdmin));
            host.requireNetns(netns);
            desired = state.rules(netns);
            now = readForPlan(netns, mode.dryRun(), warnings);
            Optional<NotrackRule> same = desired.stream().filter(r -> r.spec().sameMatch(spec)).findFirst();
            if (same.isPresent()) {
                existing = status(same.get(), netns, now);
                warnings.add("An identical rule exists already (" + same.get().id() + "); nothing was changed.");
                return;
            }
            rule = new NotrackRule(unusedId(desired, now), spec, Instant.now(clock));
            warnings.addAll(guards.natOverlaps(netns, spec));
            plan = backend.planAdd(List.of(rule), now);
        }

        @Override
        public Object before() {
            return null;
        }

        @Override
        public void apply() {
            if (existing == null) {
                ran = runner.apply(netns, plan, "adding NOTRACK rule " + rule.id(), undo());
            }
        }

        /** The kernel must show every copy of the rule; only then does the state file record it. */
        @Override
        public Done<NotrackChange> readBack() {
            if (existing != null) {
                return done(new NotrackChange(existing, existing, false, false, List.of(), warnings, null));
            }
            KernelState after = backend.read(netns);
            if (!after.locationsOf(rule.id()).containsAll(backend.locations(spec))) {
                PlanRunner.undoQuietly(undo(), "adding NOTRACK rule " + rule.id());
                throw notReadBack(rule.id(), "added", ran);
            }
            persist(netns, with(desired, rule), undo());
            return done(new NotrackChange(null, status(rule, netns, after), true, false, ran, warnings, null));
        }

        @Override
        public Done<NotrackChange> plan() {
            if (existing != null) {
                return done(new NotrackChange(existing, existing, false, true, List.of(), warnings, null));
            }
            RuleStatus planned = status(rule, netns, now).planned();
            return done(new NotrackChange(null, planned, false, true, runner.planned(netns, plan), warnings, null));
        }

        private Runnable undo() {
            return () -> removeQuietly(netns, rule.id());
        }
    }

    public NotrackChange delete(NetnsTarget netns, String id, boolean dryRunAsked) {
        NotrackRule.parseId(id);
        return pipeline.run(new RemoveRule(netns, id, dryRunAsked));
    }

    /** Deleting one rule (or the kernel's left-over copies of it), as the change pipeline runs it. */
    private final class RemoveRule implements Change<NotrackChange> {

        private final NetnsTarget netns;
        private final String id;
        private final boolean dryRunAsked;
        private boolean dryRun;
        private List<NotrackRule> desired;
        private Optional<NotrackRule> rule;
        private RuleStatus before;
        private List<HostCommand> plan;
        private List<CommandRecord> ran = List.of();

        RemoveRule(NetnsTarget netns, String id, boolean dryRunAsked) {
            this.netns = netns;
            this.id = id;
            this.dryRunAsked = dryRunAsked;
            this.dryRun = dryRunAsked;
        }

        @Override
        public String action() {
            return "notrack.delete";
        }

        @Override
        public String target() {
            return auditTarget(netns, id);
        }

        @Override
        public Map<String, ?> params() {
            return Map.of("dryRun", dryRun);
        }

        @Override
        public boolean dryRunAsked() {
            return dryRunAsked;
        }

        @Override
        public void guard(ChangeMode mode) {
            dryRun = mode.dryRun();
            host.requireNetns(netns);
            desired = state.rules(netns);
            rule = desired.stream().filter(r -> r.id().equals(id)).findFirst();
            KernelState now = backend.read(netns);
            List<KernelRule> copies = now.copiesOf(id);
            if (rule.isEmpty() && copies.isEmpty()) {
                throw notFound(netns, id);
            }
            before = rule.map(r -> status(r, netns, now)).orElseGet(() -> RuleStatus.leftOver(id, name(netns), copies));
            plan = backend.planRemove(id, now);
        }

        @Override
        public Object before() {
            return before;
        }

        @Override
        public void apply() {
            ran = runner.apply(netns, plan, "deleting NOTRACK rule " + id, undo());
        }

        /** No copy may be left in the kernel; only then does the state file forget the rule. */
        @Override
        public Done<NotrackChange> readBack() {
            if (!backend.read(netns).copiesOf(id).isEmpty()) {
                PlanRunner.undoQuietly(undo(), "deleting NOTRACK rule " + id);
                throw notReadBack(id, "deleted", ran);
            }
            if (rule.isPresent()) {
                persist(netns, desired.stream().filter(r -> !r.id().equals(id)).toList(), undo());
            }
            return done(new NotrackChange(before, null, true, false, ran, List.of(), null));
        }

        @Override
        public Done<NotrackChange> plan() {
            return done(new NotrackChange(before, null, false, true, runner.planned(netns, plan), List.of(), null));
        }

        private Runnable undo() {
            return () -> rule.ifPresent(r -> restoreQuietly(netns, r));
        }
    }

    /** How a NOTRACK change ended, for the outcome record; the answer carries the outcome's id. */
    private static Done<NotrackChange> done(NotrackChange change) {
        AuditResult result = change.dryRun() ? AuditResult.DRY_RUN
                : change.applied() ? AuditResult.APPLIED : AuditResult.UNCHANGED;
        return new Done<>(result, change.before(), change.after(), audited(change.commands()), null,
                change.warnings(), (auditId, warnings) -> new NotrackChange(change.before(), change.after(),
                        change.applied(), change.dryRun(), change.commands(), warnings, auditId));
    }

    /** An audit target: the rule in its namespace. */
    static String auditTarget(NetnsTarget netns, String ruleId) {
        return "netns:" + netns.name().orElse("(own)") + "/notrack/" + ruleId;
    }

    static List<AuditCommand> audited(List<CommandRecord> records) {
        return records.stream().map(r -> new AuditCommand(r.argv(), r.exitCode(), r.durationMillis())).toList();
    }

    private List<RuleStatus> statuses(NetnsTarget netns, KernelState now) {
        List<RuleStatus> rules = new ArrayList<>();
        Set<String> desiredIds = state.rules(netns).stream().map(NotrackRule::id).collect(Collectors.toSet());
        state.rules(netns).forEach(rule -> rules.add(status(rule, netns, now)));
        if (now != null) {
            Map<String, List<KernelRule>> leftOver = new LinkedHashMap<>();
            now.owned().stream().filter(copy -> !desiredIds.contains(copy.id()))
                    .forEach(copy -> leftOver.computeIfAbsent(copy.id(), k -> new ArrayList<>()).add(copy));
            leftOver.forEach((id, copies) -> rules.add(RuleStatus.leftOver(id, name(netns), copies)));
        }
        return rules;
    }

    private RuleStatus status(NotrackRule rule, NetnsTarget netns, KernelState now) {
        return RuleStatus.of(rule, name(netns), now, backend.locations(rule.spec()));
    }

    private KernelState readOrWarn(NetnsTarget netns, List<String> warnings) {
        if (host.mode() == EffectiveMode.READ_ONLY) {
            warnings.add("The agent runs read-only (neither root nor sudo), so it cannot read the kernel's rules; "
                    + "inKernel is unknown.");
            return null;
        }
        try {
            return backend.read(netns);
        } catch (OperatorProblem problem) {
            warnings.add("Could not read the kernel's rules: " + problem.getBody().getDetail());
            return null;
        }
    }

    /** A dry run without the privilege to read the kernel still shows what adding would run. */
    private KernelState readForPlan(NetnsTarget netns, boolean dryRun, List<String> warnings) {
        try {
            return backend.read(netns);
        } catch (OperatorProblem problem) {
            if (!dryRun) {
                throw problem;
            }
            warnings.add("Could not read the kernel's rules (" + problem.getBody().getDetail() + "); planned as if "
                    + "none of the agent's rules were there.");
            return KernelState.EMPTY;
        }
    }

    private void persist(NetnsTarget netns, List<NotrackRule> rules, Runnable undo) {
        try {
            state.replace(netns, rules);
        } catch (RuntimeException e) {
            PlanRunner.undoQuietly(undo, "saving " + state.file());
            throw e;
        }
    }

    private void removeQuietly(NetnsTarget netns, String id) {
        List<HostCommand> plan = backend.planRemove(id, backend.read(netns));
        runner.apply(netns, plan, "undoing NOTRACK rule " + id, () -> { });
    }

    private void restoreQuietly(NetnsTarget netns, NotrackRule rule) {
        List<HostCommand> plan = backend.planAdd(List.of(rule), backend.read(netns));
        runner.apply(netns, plan, "restoring NOTRACK rule " + rule.id(), () -> { });
    }

    private static String unusedId(List<NotrackRule> desired, KernelState now) {
        String id;
        do {
            id = NotrackRule.newId();
        } while (!now.copiesOf(id).isEmpty() || containsId(desired, id));
        return id;
    }

    private static boolean containsId(List<NotrackRule> rules, String id) {
        return rules.stream().anyMatch(rule -> rule.id().equals(id));
    }

    private static List<NotrackRule> with(List<NotrackRule> rules, NotrackRule rule) {
        List<NotrackRule> next = new ArrayList<>(rules);
        next.add(rule);
        return next;
    }

    private static String name(NetnsTarget netns) {
        return netns.name().orElse(null);
    }

    private static OperatorProblem notFound(NetnsTarget netns, String id) {
        return new OperatorProblem(HttpStatus.NOT_FOUND, "notrack-rule-not-found", "NOTRACK rule not found",
                "No NOTRACK rule " + id + " in " + (netns.isOwn() ? "the agent's namespace" : "namespace " + netns)
                        + ". List them with GET /api/v1/notrack/rules" + (netns.isOwn() ? "" : "?netns=" + netns) + ".")
                .with("field", "id");
    }

    private OperatorProblem notReadBack(String id, String done, List<CommandRecord> ran) {
        return new OperatorProblem(HttpStatus.BAD_GATEWAY, "notrack-not-applied", "Rule not as expected in kernel",
                backend.name() + " reported success, but reading the rules back shows rule " + id + " was not "
                        + done + ". The change was undone where possible; check the ruleset by hand.")
                .with("commands", ran);
    }
}
