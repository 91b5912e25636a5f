package io.ctagent.sysctl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import io.ctagent.hostagent.HostWriter;
import io.ctagent.hostagent.MutationLock;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Writability;
import io.ctagent.sysctl.SysctlGuards.Requested;
import io.ctagent.problem.InvalidInput;
import io.ctagent.problem.OperatorProblem;
import tools.jackson.databind.JsonNode;

/**
 * Sysctl mutations, one path for all: parse -> read before, guards, plan -> audit intent -> apply
 * through the host agent -> read back -> audit outcome. Serialised by the {@link MutationLock}.
 * Input that does not parse is a 400 {@link InvalidInput}, which the web layer audits as INVALID;
 * a refusal before the intent (unknown key, read-only key, stale ETag, guard, refused rollback)
 * changes nothing, writes no intent and is audited as one FAILED record ({@link ChangeAudit#attempt}).
 * Once the intent is written, every path ends in exactly one outcome record, whose id is the
 * response's {@code auditId}.
 */
@Service
class SysctlChanger {

    private static final int MAX_BATCH = 64;
    private static final Pattern AUDIT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}");

    private final SysctlCatalog catalog;
    private final SysctlReader reader;
    private final SysctlGuards guards;
    private final SysctlPersistence persistence;
    private final HostWriter writer;
    private final MutationLock lock;
    private final ChangeHistory history;
    private final ChangeAudit audit;

    SysctlChanger(SysctlCatalog catalog, SysctlReader reader, SysctlGuards guards, SysctlPersistence persistence,
                  HostWriter writer, MutationLock lock, ChangeHistory history, ChangeAudit audit) {
        this.catalog = catalog;
        this.reader = reader;
        this.guards = guards;
        this.persistence = persistence;
        this.writer = writer;
        this.lock = lock;
        this.history = history;
        this.audit = audit;
    }

    /** What the client asked, parsed. */
    record Options(boolean persist, boolean dryRun, boolean force, String reason) {
    }

    /**
     * A parsed change ready to run.
     *
     * @param rollbackOf for a rollback, the auditId of the change it undoes
     */
    record Plan(String action, NetnsTarget netns, List<Requested> changes, Options options,
                Map<SysctlKey, Long> persistSet, Set<SysctlKey> persistUnset, String ifMatch, String rollbackOf) {

        List<SysctlKey> keys() {
            return changes.stream().map(Requested::key).toList();
        }
    }

    SysctlChange put(String rawKey, String rawNetns, SysctlRequests.SysctlPutRequest body, String ifMatch) {
        NetnsTarget netns = NetnsTarget.parse(rawNetns);
        SysctlKey named = SysctlKey.parse("key", rawKey);
        return audit.attempt("sysctl.set", ChangeAudit.target(netns, List.of(named)), null, () -> {
            SysctlKey key = catalog.require("key", rawKey);
            SysctlRequests.SysctlPutRequest request = body == null
                    ? new SysctlRequests.SysctlPutRequest(null, null, null, null, null) : body;
            long value = SysctlValue.parse("value", request.value(), key, SysctlCatalog.spec(key));
            Options options = options(netns, request.persist(), request.dryRun(), request.force(), request.reason());
            Plan plan = new Plan("sysctl.set", netns, List.of(new Requested(key, value)), options, Map.of(key, value),
                    Set.of(), ifMatch, null);
            return locked(plan);
        });
    }

    SysctlChange patch(String rawNetns, SysctlRequests.SysctlPatchRequest body) {
        NetnsTarget netns = NetnsTarget.parse(rawNetns);
        if (body == null || body.changes() == null || body.changes().isEmpty()) {
            throw new InvalidInput("changes", "changes is required: an object of sysctl name to integer, e.g. "
                    + "{\"net.netfilter.nf_conntrack_max\": 524288}");
        }
        if (body.changes().size() > MAX_BATCH) {
            throw new InvalidInput("changes", "at most " + MAX_BATCH + " keys in one change");
        }
        List<SysctlKey> named = body.changes().keySet().stream().map(raw -> SysctlKey.parse("changes", raw)).toList();
        return audit.attempt("sysctl.batch", ChangeAudit.target(netns, named), null, () -> {
            List<Requested> changes = new ArrayList<>();
            Map<SysctlKey, Long> set = new LinkedHashMap<>();
            Set<SysctlKey> variables = new HashSet<>();
            for (Map.Entry<String, JsonNode> entry : body.changes().entrySet()) {
                SysctlKey key = catalog.require("changes", entry.getKey());
                if (!variables.add(key.variable())) {
                    throw new InvalidInput("changes", SysctlKey.MAX + " and " + SysctlKey.LEGACY_MAX
                            + " are the same kernel variable; set one of them");
                }
                long value = SysctlValue.parse("changes[" + key + "]", entry.getValue(), key, SysctlCatalog.spec(key));
                changes.add(new Requested(key, value));
                set.put(key, value);
            }
            Options options = options(netns, body.persist(), body.dryRun(), body.force(), body.reason());
            return locked(new Plan("sysctl.batch", netns, changes, options, set, Set.of(), null, null));
        });
    }

    /**
     * Restores the before values of an audited change, as a new change (action sysctl.rollback):
     * the running values, and the managed drop-in if that change persisted.
     */
    SysctlChange rollback(SysctlRequests.SysctlRollbackRequest body) {
        String auditId = body == null ? null : body.auditId();
        if (auditId == null || !AUDIT_ID.matcher(auditId).matches()) {
            throw new InvalidInput("auditId", "auditId is required: the id of an audited sysctl change, as "
                    + "its response's auditId (GET /api/v1/audit lists them)");
        }
        // Until the recorded change is read and trusted, the rollback is aimed at that record.
        return audit.attempt("sysctl.rollback", "audit:" + auditId, Map.of("rollbackOf", auditId), () -> {
            RecordedChange recorded = history.find(auditId).orElseThrow(() -> new OperatorProblem(
                    HttpStatus.NOT_FOUND, "change-not-found", "No such change",
                    "No audit record has id '" + auditId + "'. Use the auditId of a sysctl change's response; "
                            + "GET /api/v1/audit lists them.")
                    .with("field", "auditId"));
            NetnsTarget netns = NetnsTarget.parse(recorded.netns());
            List<Requested> changes = new ArrayList<>();
            Map<SysctlKey, Long> set = new LinkedHashMap<>();
            Set<SysctlKey> unset = new LinkedHashSet<>();
            for (Map.Entry<String, Long> entry : recorded.before().entrySet()) {
                SysctlKey key = catalog.require("auditId", entry.getKey());
                changes.add(new Requested(key, entry.getValue()));
                Long persisted = recorded.persistedBefore().get(entry.getKey());
                if (persisted != null) {
                    set.put(key, persisted);
                } else {
                    unset.add(key);
                }
            }
            Options options = new Options(recorded.persisted(), Boolean.TRUE.equals(body.dryRun()),
                    Boolean.TRUE.equals(body.force()), SysctlValue.reason(body.reason()));
            return locked(new Plan("sysctl.rollback", netns, changes, options, set, unset, null, recorded.auditId()));
        });
    }

    /** The change under the mutation lock; a refusal before its intent is audited with the plan's target and params. */
    private SysctlChange locked(Plan plan) {
        return lock.exclusive(() -> audit.attempt(plan.action(), ChangeAudit.target(plan.netns(), plan.keys()),
                params(plan), () -> run(plan)));
    }

    private SysctlChange run(Plan plan) {
        NetnsTarget netns = plan.netns();
        List<SysctlKey> keys = plan.keys();
        Map<SysctlKey, Long> before = readBefore(plan, keys);
        Options options = plan.options();
        List<String> warnings = new ArrayList<>(guards.check(plan.changes(), before, options.force(), options.reason()));
        List<Requested> toWrite = plan.changes().stream()
                .filter(change -> change.value() != before.get(change.key())).toList();
        SysctlPersistence.BootFiles boot = options.persist() ? persistence.read() : null;
        PersistPlan file = boot == null ? null : persistence.plan(boot, plan.persistSet(), plan.persistUnset());
        boolean writesFile = file != null && file.changes();
        boolean unchanged = toWrite.isEmpty() && !writesFile;
        boolean dryRun = options.dryRun() || writer.planOnly();
        if (!unchanged && !dryRun) {
            requireWritable(netns, toWrite);
        }
        ChangeAudit.State start = ChangeAudit.State.of(netns, before,
                boot == null ? null : ChangeAudit.dropIn(boot.managedContent(), keys));
        // Fail closed: when the intent cannot be written this throws 503 and nothing below runs.
        ChangeAudit.Pending pending = audit.intent(plan.action(), netns, keys, params(plan), start);
        ChangeRun attempt = new ChangeRun(writer, reader, netns, before);
        try {
            if (unchanged) {
                warnings.addAll(bootWarnings(netns, keys, before));
                String auditId = pending.outcome(ChangeResult.UNCHANGED, start, List.of(), null, warnings);
                return change(ChangeResult.UNCHANGED, plan, before, before, List.of(), List.of(), warnings, auditId);
            }
            if (dryRun) {
                return planned(plan, before, toWrite, writesFile ? file : null, pending, warnings);
            }
            return apply(plan, before, toWrite, writesFile ? file : null, attempt, pending, warnings);
        } catch (ChangeFailed recorded) {
            throw recorded;
        } catch (RuntimeException failure) {
            attempt.restore();
            pending.failedUnexpectedly(failure, stateQuietly(plan), attempt.steps().audited());
            throw failure;
        }
    }

    /** Kernel rules first, then the values the change starts from (404 for a key the namespace lacks). */
    private Map<SysctlKey, Long> readBefore(Plan plan, List<SysctlKey> keys) {
        NetnsTarget netns = plan.netns();
        for (SysctlKey key : keys) {
            Writability kernel = reader.kernelWritability(key, netns);
            if (!kernel.writable()) {
                throw readOnly(key, kernel);
            }
        }
        Map<SysctlKey, Long> before = reader.values(netns, keys);
        for (SysctlKey key : keys) {
            if (!before.containsKey(key)) {
                throw new OperatorProblem(HttpStatus.NOT_FOUND, "sysctl-not-in-namespace",
                        "Sysctl not in this namespace", key + " does not exist in namespace " + netns + ".")
                        .with("field", "key");
            }
        }
        if (plan.ifMatch() != null) {
            requireMatch(plan.ifMatch(), reader.view(keys.get(0), netns));
        }
        return before;
    }

    /** The host lets the agent write: the privilege (503 when read-only) and each file (409). */
    private void requireWritable(NetnsTarget netns, List<Requested> toWrite) {
        writer.requirePrivilege();
        for (Requested change : toWrite) {
            Writability host = writer.sysctlWritability(netns, change.key().name());
            if (!host.writable()) {
                throw readOnly(change.key(), host);
            }
        }
    }

    /** A dry run: the commands and file content it would write, audited as DRY_RUN. */
    private SysctlChange planned(Plan plan, Map<SysctlKey, Long> before, List<Requested> toWrite, PersistPlan file,
                                 ChangeAudit.Pending pending, List<String> warnings) {
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
                : ChangeAudit.dropIn(file != null ? file.after() : persistence.read().managedContent(), keys);
        String auditId = pending.outcome(ChangeResult.DRY_RUN, ChangeAudit.State.of(netns, planned, dropIn),
                ChangeAudit.planned(commands), null, warnings);
        return change(ChangeResult.DRY_RUN, plan, before, planned, commands, files, warnings, auditId);
    }

    private SysctlChange apply(Plan plan, Map<SysctlKey, Long> before, List<Requested> toWrite, PersistPlan file,
                               ChangeRun attempt, ChangeAudit.Pending pending, List<String> warnings) {
        NetnsTarget netns = plan.netns();
        List<SysctlKey> keys = plan.keys();
        List<PlannedFile> files = file == null ? List.of() : List.of(new PlannedFile(file.path(), file.after()));
        for (Requested change : toWrite) {
            if (!attempt.apply(change)) {
                throw failed(plan, attempt, before, pending, warnings);
            }
        }
        if (file != null && !attempt.persist(persistence, file)) {
            throw failed(plan, attempt, before, pending, warnings);
        }
        Map<SysctlKey, Long> after = reader.values(netns, keys);
        warnings.addAll(attempt.warnings());
        warnings.addAll(bootWarnings(netns, keys, after));
        String auditId = pending.outcome(ChangeResult.APPLIED, state(plan, after), attempt.steps().audited(), null,
                warnings);
        return change(ChangeResult.APPLIED, plan, before, after, attempt.steps().commands(), files, warnings, auditId);
    }

    /** Puts back what was applied, records FAILED, and answers with the problem to throw. */
    private ChangeFailed failed(Plan plan, ChangeRun attempt, Map<SysctlKey, Long> before,
                                ChangeAudit.Pending pending, List<String> warnings) {
        attempt.restore();
        Map<SysctlKey, Long> after = reader.values(plan.netns(), plan.keys());
        warnings.addAll(attempt.warnings());
        boolean restored = after.equals(before);
        WriteFailure failure = attempt.failure();
        String detail = failure.detail() + (restored ? " Nothing stays changed: what had been applied was restored."
                : " Not everything could be restored; see warnings and after.");
        String auditId = pending.outcome(ChangeResult.FAILED, state(plan, after), attempt.steps().audited(), detail,
                warnings);
        SysctlChange change = change(ChangeResult.FAILED, plan, before, after, attempt.steps().commands(), List.of(),
                warnings, auditId);
        return new ChangeFailed(failure.status(), failure.type(), failure.title(), detail,
                new SysctlChange(change.result(), change.action(), change.netns(), change.before(), change.after(),
                        !restored, false, change.persist(), change.commands(), List.of(), change.warnings(),
                        change.auditId()));
    }

    /** The state after a change as the audit records it; the drop-in is read back when the change persists. */
    private ChangeAudit.State state(Plan plan, Map<SysctlKey, Long> values) {
        Map<String, Long> dropIn = plan.options().persist()
                ? ChangeAudit.dropIn(persistence.read().managedContent(), plan.keys()) : null;
        return ChangeAudit.State.of(plan.netns(), values, dropIn);
    }

    /** For a failure nobody foresaw: whatever can still be read, or null. */
    private ChangeAudit.State stateQuietly(Plan plan) {
        try {
            return state(plan, reader.values(plan.netns(), plan.keys()));
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    /** What the caller asked, for the intent record. */
    private static Map<String, Object> params(Plan plan) {
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

    private List<String> bootWarnings(NetnsTarget netns, List<SysctlKey> keys, Map<SysctlKey, Long> runtime) {
        if (!netns.isOwn()) {
            return List.of();
        }
        List<String> warnings = new ArrayList<>();
        persistence.states(persistence.read(), keys, runtime).values()
                .forEach(state -> warnings.addAll(state.warnings()));
        return warnings;
    }

    private List<String> persistWarnings(PersistPlan file, List<SysctlKey> keys, Map<SysctlKey, Long> runtime) {
        List<String> warnings = new ArrayList<>();
        persistence.states(persistence.read().withManaged(file.after()), keys, runtime).values()
                .forEach(state -> warnings.addAll(state.warnings()));
        return warnings;
    }

    private Options options(NetnsTarget netns, Boolean persist, Boolean dryRun, Boolean force, String reason) {
        boolean persisting = Boolean.TRUE.equals(persist);
        if (persisting && !netns.isOwn()) {
            throw new InvalidInput("persist", "persist applies to the initial namespace, which sysctl --system "
                    + "configures at boot; a named namespace starts with kernel defaults when it is created");
        }
        return new Options(persisting, Boolean.TRUE.equals(dryRun), Boolean.TRUE.equals(force),
                SysctlValue.reason(reason));
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

    private static SysctlChange change(ChangeResult result, Plan plan, Map<SysctlKey, Long> before,
                                       Map<SysctlKey, Long> after, List<List<String>> commands,
                                       List<PlannedFile> files, List<String> warnings, String auditId) {
        boolean applied = result == ChangeResult.APPLIED;
        return new SysctlChange(result, plan.action(), plan.netns().name().orElse(null),
                ChangeAudit.byName(before), ChangeAudit.byName(after), applied,
                result == ChangeResult.DRY_RUN || plan.options().dryRun(),
                plan.options().persist(), List.copyOf(commands), List.copyOf(files),
                List.copyOf(new LinkedHashSet<>(warnings)), auditId);
    }
}
