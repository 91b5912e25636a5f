package io.ctagent.sysctl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;

import io.ctagent.audit.AuditCommand;
import io.ctagent.audit.AuditResult;
import io.ctagent.change.Change;
import io.ctagent.change.ChangeFailure;
import io.ctagent.change.ChangeMode;
import io.ctagent.change.ChangeSteps;
import io.ctagent.change.Done;
import io.ctagent.hostagent.HostWriter;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Writability;
import io.ctagent.problem.OperatorProblem;
import io.ctagent.sysctl.SysctlChanger.Plan;
import io.ctagent.sysctl.SysctlGuards.Requested;

/**
 * One sysctl change (set, batch or rollback) as the change pipeline runs it: its guards read the
 * values it starts from (kernel rules, namespace, ETag), check the values and plan the drop-in; it
 * applies key by key, each read back, and puts back what it applied when a step fails.
 */
final class SysctlRun implements Change<SysctlChange> {

    private final Plan plan;
    private final SysctlReader reader;
    private final SysctlGuards guards;
    private final SysctlPersistence persistence;
    private final HostWriter writer;

    private Map<SysctlKey, Long> before;
    private final List<String> warnings = new ArrayList<>();
    private List<Requested> toWrite;
    private PersistPlan file;
    private boolean unchanged;
    private SysctlState start;
    private ChangeRun run;

    SysctlRun(Plan plan, SysctlReader reader, SysctlGuards guards, SysctlPersistence persistence,
              HostWriter writer) {
        this.plan = plan;
        this.reader = reader;
        this.guards = guards;
        this.persistence = persistence;
        this.writer = writer;
    }

    @Override
    public String action() {
        return plan.action();
    }

    @Override
    public String target() {
        return SysctlState.target(plan.netns(), plan.keys());
    }

    /** What the caller asked, for the intent record. */
    @Override
    public Map<String, Object> params() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("netns", plan.netns().name().orElse(null));
        Map<String, Long> values = new LinkedHashMap<>();
        plan.changes().forEach(change -> values.put(change.key().name(), change.value()));
        params.put("values", values);
        params.put("persist", plan.options().persist());
        params.put("dryRun", plan.options().dryRun());
        params.put("force", plan.options().force());
        params.put("reason", plan.options().reason());
        if (plan.ifMatch() != null) {
            params.put("ifMatch", plan.ifMatch());
        }
        if (plan.rollbackOf() != null) {
            params.put("rollbackOf", plan.rollbackOf());
        }
        return params;
    }

    @Override
    public boolean dryRunAsked() {
        return plan.options().dryRun();
    }

    @Override
    public void guard(ChangeMode mode) {
        List<SysctlKey> keys = plan.keys();
        before = readBefore(keys);
        SysctlChanger.Options options = plan.options();
        warnings.addAll(guards.check(plan.changes(), before, options.force(), options.reason()));
        toWrite = plan.changes().stream().filter(change -> change.value() != before.get(change.key())).toList();
        SysctlPersistence.BootFiles boot = options.persist() ? persistence.read() : null;
        PersistPlan planned = boot == null ? null : persistence.plan(boot, plan.persistSet(), plan.persistUnset());
        file = planned != null && planned.changes() ? planned : null;
        unchanged = toWrite.isEmpty() && file == null;
        if (!unchanged && mode == ChangeMode.APPLY) {
            requireWritable();
        }
        start = SysctlState.of(plan.netns(), before, boot == null ? null : SysctlState.dropIn(boot.managedContent(), keys));
        run = new ChangeRun(writer, reader, plan.netns(), before);
    }

    @Override
    public SysctlState before() {
        return start;
    }

    @Override
    public void apply() {
        for (Requested change : toWrite) {
            if (!run.apply(change)) {
                throw failed();
            }
        }
        if (file != null && !run.persist(persistence, file)) {
            throw failed();
        }
    }

    @Override
    public Done<SysctlChange> readBack() {
        if (unchanged) {
            warnings.addAll(bootWarnings(before));
            return done(ChangeResult.UNCHANGED, start, List.of(), before, List.of(), List.of());
        }
        Map<SysctlKey, Long> after = reader.values(plan.netns(), plan.keys());
        warnings.addAll(run.warnings());
        warnings.addAll(bootWarnings(after));
        List<PlannedFile> files = file == null ? List.of() : List.of(new PlannedFile(file.path(), file.after()));
        return done(ChangeResult.APPLIED, state(after), run.steps().audited(), after, run.steps().commands(), files);
    }

    /** A dry run: the commands and file content it would write, audited as DRY_RUN. */
    @Override
    public Done<SysctlChange> plan() {
        if (unchanged) {
            return readBack();
        }
        NetnsTarget netns = plan.netns();
        List<SysctlKey> keys = plan.keys();
        List<List<String>> commands = new ArrayList<>();
        toWrite.forEach(change -> commands.add(writer.sysctlCommand(netns, change.key().name(), change.value())));
        List<PlannedFile> files = new ArrayList<>();
        if (file != null) {
            commands.addAll(file.commands());
            files.add(new PlannedFile(file.path(), file.after()));
        }
        Map<SysctlKey, Long> planned = new LinkedHashMap<>(before);
        plan.changes().forEach(change -> planned.put(change.key(), change.value()));
        if (file != null && netns.isOwn()) {
            warnings.addAll(persistWarnings(file, keys, planned));
        }
        Map<String, Long> dropIn = !plan.options().persist() ? null
                : SysctlState.dropIn(file != null ? file.after() : persistence.read().managedContent(), keys);
        return done(ChangeResult.DRY_RUN, SysctlState.of(netns, planned, dropIn), ChangeSteps.planned(commands),
                planned, commands, files);
    }

    @Override
    public Done<SysctlChange> failedUnexpectedly(String reason) {
        run.restore();
        return new Done<>(AuditResult.FAILED, start, stateQuietly(), run.steps().audited(), reason, List.of(), null);
    }

    /** Puts back what was applied and describes the FAILED change; its answer is the problem to throw. */
    private ChangeFailure failed() {
        run.restore();
        Map<SysctlKey, Long> after = reader.values(plan.netns(), plan.keys());
        warnings.addAll(run.warnings());
        boolean restored = after.equals(before);
        WriteFailure failure = run.failure();
        String detail = failure.detail() + (restored ? " Nothing stays changed: what had been applied was restored."
                : " Not everything could be restored; see warnings and after.");
        List<List<String>> commands = run.steps().commands();
        return new ChangeFailure(new Done<>(AuditResult.FAILED, start, state(after), run.steps().audited(), detail,
                warnings, (auditId, all) -> {
                    SysctlChange change = change(ChangeResult.FAILED, after, commands, List.of(), all, auditId);
                    throw new ChangeFailed(failure.status(), failure.type(), failure.title(), detail,
                            new SysctlChange(change.result(), change.action(), change.netns(), change.before(),
                                    change.after(), !restored, false, change.persist(), change.commands(), List.of(),
                                    change.warnings(), change.auditId()));
                }));
    }

    private Done<SysctlChange> done(ChangeResult result, SysctlState after, List<AuditCommand> audited,
                                    Map<SysctlKey, Long> afterValues, List<List<String>> commands,
                                    List<PlannedFile> files) {
        return new Done<>(AuditResult.valueOf(result.name()), start, after, audited, null, warnings,
                (auditId, all) -> change(result, afterValues, commands, files, all, auditId));
    }

    /** Kernel rules first, then the values the change starts from (404 for a key the namespace lacks). */
    private Map<SysctlKey, Long> readBefore(List<SysctlKey> keys) {
        NetnsTarget netns = plan.netns();
        for (SysctlKey key : keys) {
            Writability kernel = reader.kernelWritability(key, netns);
            if (!kernel.writable()) {
                throw readOnly(key, kernel);
            }
        }
        Map<SysctlKey, Long> values = reader.values(netns, keys);
        for (SysctlKey key : keys) {
            if (!values.containsKey(key)) {
                throw new OperatorProblem(HttpStatus.NOT_FOUND, "sysctl-not-in-namespace",
                        "Sysctl not in this namespace", key + " does not exist in namespace " + netns + ".")
                        .with("field", "key");
            }
        }
        if (plan.ifMatch() != null) {
            requireMatch(plan.ifMatch(), reader.view(keys.get(0), netns));
        }
        return values;
    }

    /** The host lets the agent write each file (409); the privilege is the pipeline's (503 when read-only). */
    private void requireWritable() {
        for (Requested change : toWrite) {
            Writability host = writer.sysctlWritability(plan.netns(), change.key().name());
            if (!host.writable()) {
                throw readOnly(change.key(), host);
            }
        }
    }

    /** The state after a change as the audit records it; the drop-in is read back when the change persists. */
    private SysctlState state(Map<SysctlKey, Long> values) {
        Map<String, Long> dropIn = plan.options().persist()
                ? SysctlState.dropIn(persistence.read().managedContent(), plan.keys()) : null;
        return SysctlState.of(plan.netns(), values, dropIn);
    }

    /** For a failure nobody foresaw: whatever can still be read, or null. */
    private SysctlState stateQuietly() {
        try {
            return state(reader.values(plan.netns(), plan.keys()));
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private List<String> bootWarnings(Map<SysctlKey, Long> runtime) {
        if (!plan.netns().isOwn()) {
            return List.of();
        }
        List<String> found = new ArrayList<>();
        persistence.states(persistence.read(), plan.keys(), runtime).values()
                .forEach(state -> found.addAll(state.warnings()));
        return found;
    }

    private List<String> persistWarnings(PersistPlan planned, List<SysctlKey> keys, Map<SysctlKey, Long> runtime) {
        List<String> found = new ArrayList<>();
        persistence.states(persistence.read().withManaged(planned.after()), keys, runtime).values()
                .forEach(state -> found.addAll(state.warnings()));
        return found;
    }

    private static void requireMatch(String ifMatch, SysctlView current) {
        String etag = SysctlReader.etag(current);
        for (String candidate : ifMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
                return;
            }
        }
        throw new OperatorProblem(HttpStatus.PRECONDITION_FAILED, "stale-etag", "Value changed since it was read",
                current.key() + " has changed since the ETag " + ifMatch + " was issued (now " + etag + ", value "
                        + current.value() + "). Nothing was changed; GET it again and retry.")
                .with("etag", etag);
    }

    private static OperatorProblem readOnly(SysctlKey key, Writability why) {
        return new OperatorProblem(HttpStatus.CONFLICT, "sysctl-read-only", "Sysctl is read-only here",
                why.reason() + " Nothing was changed.").with("field", "key").with("key", key.name());
    }

    private SysctlChange change(ChangeResult result, Map<SysctlKey, Long> after, List<List<String>> commands,
                                List<PlannedFile> files, List<String> allWarnings, String auditId) {
        boolean applied = result == ChangeResult.APPLIED;
        return new SysctlChange(result, plan.action(), plan.netns().name().orElse(null),
                SysctlState.byName(before), SysctlState.byName(after), applied, result == ChangeResult.DRY_RUN,
                plan.options().persist(), List.copyOf(commands), List.copyOf(files),
                List.copyOf(new LinkedHashSet<>(allWarnings)), auditId);
    }
}
