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
import io.ctagent.web.InvalidInput;
import io.ctagent.web.OperatorProblem;
import tools.jackson.databind.JsonNode;

/**
 * Sysctl mutations, one path for all: parse -> (audit: intent) -> apply through the host agent ->
 * read back -> (audit: outcome). Serialised by the {@link MutationLock}.
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

    SysctlChanger(SysctlCatalog catalog, SysctlReader reader, SysctlGuards guards, SysctlPersistence persistence,
                  HostWriter writer, MutationLock lock, ChangeHistory history) {
        this.catalog = catalog;
        this.reader = reader;
        this.guards = guards;
        this.persistence = persistence;
        this.writer = writer;
        this.lock = lock;
        this.history = history;
    }

    /** What the client asked, parsed. */
    record Options(boolean persist, boolean dryRun, boolean force, String reason) {
    }

    /** A parsed change ready to run. */
    record Plan(String action, NetnsTarget netns, List<Requested> changes, Options options,
                Map<SysctlKey, Long> persistSet, Set<SysctlKey> persistUnset, String ifMatch) {
    }

    SysctlChange put(String rawKey, String rawNetns, SysctlRequests.SysctlPutRequest body, String ifMatch) {
        Plan plan;
        try {
            NetnsTarget netns = NetnsTarget.parse(rawNetns);
            SysctlKey key = catalog.require("key", rawKey);
            SysctlRequests.SysctlPutRequest request = body == null ? new SysctlRequests.SysctlPutRequest(null, null, null, null, null) : body;
            long value = SysctlValue.parse("value", request.value(), key, SysctlCatalog.spec(key));
            Options options = options(netns, request.persist(), request.dryRun(), request.force(), request.reason());
            plan = new Plan("sysctl.set", netns, List.of(new Requested(key, value)), options, Map.of(key, value),
                    Set.of(), ifMatch);
        } catch (InvalidInput invalid) {
            // audit: INVALID (action sysctl.set, target and body as sent); nothing was attempted
            throw invalid;
        }
        return lock.exclusive(() -> run(plan));
    }

    SysctlChange patch(String rawNetns, SysctlRequests.SysctlPatchRequest body) {
        Plan plan;
        try {
            NetnsTarget netns = NetnsTarget.parse(rawNetns);
            if (body == null || body.changes() == null || body.changes().isEmpty()) {
                throw new InvalidInput("changes", "changes is required: an object of sysctl name to integer, e.g. "
                        + "{\"net.netfilter.nf_conntrack_max\": 524288}");
            }
            if (body.changes().size() > MAX_BATCH) {
                throw new InvalidInput("changes", "at most " + MAX_BATCH + " keys in one change");
            }
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
            plan = new Plan("sysctl.batch", netns, changes, options, set, Set.of(), null);
        } catch (InvalidInput invalid) {
            // audit: INVALID (action sysctl.batch, body as sent); nothing was attempted
            throw invalid;
        }
        return lock.exclusive(() -> run(plan));
    }

    /** Restores the before values of an audited change, as a new change. */
    SysctlChange rollback(SysctlRequests.SysctlRollbackRequest body) {
        Plan plan;
        try {
            String auditId = body == null ? null : body.auditId();
            if (auditId == null || !AUDIT_ID.matcher(auditId).matches()) {
                throw new InvalidInput("auditId", "auditId is required: the id of an audited sysctl or hashsize "
                        + "change (GET /api/v1/audit)");
            }
            RecordedChange recorded = history.find(auditId).orElseThrow(() -> new OperatorProblem(
                    HttpStatus.NOT_FOUND, "change-not-found", "No such change",
                    "No audited sysctl or hashsize change has id '" + auditId + "'. GET /api/v1/audit lists them.")
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
            plan = new Plan("sysctl.rollback", netns, changes, options, set, unset, null);
        } catch (InvalidInput invalid) {
            // audit: INVALID (action sysctl.rollback, body as sent); nothing was attempted
            throw invalid;
        }
        return lock.exclusive(() -> run(plan));
    }

    private SysctlChange run(Plan plan) {
        NetnsTarget netns = plan.netns();
        List<SysctlKey> keys = plan.changes().stream().map(Requested::key).toList();
        Map<SysctlKey, Long> before = readBefore(plan, keys);
        Options options = plan.options();
        List<String> warnings = new ArrayList<>(guards.check(plan.changes(), before, options.force(), options.reason()));
        List<Requested> toWrite = plan.changes().stream()
                .filter(change -> change.value() != before.get(change.key())).toList();
        PersistPlan file = options.persist()
                ? persistence.plan(persistence.read(), plan.persistSet(), plan.persistUnset()) : null;
        boolean writesFile = file != null && file.changes();
        if (toWrite.isEmpty() && !writesFile) {
            warnings.addAll(bootWarnings(netns, keys, before));
            return change(ChangeResult.UNCHANGED, plan, before, before, List.of(), List.of(), warnings);
        }
        List<List<String>> commands = new ArrayList<>();
        toWrite.forEach(change -> commands.add(writer.sysctlCommand(netns, change.key().name(), change.value())));
        List<PlannedFile> files = new ArrayList<>();
        if (writesFile) {
            commands.addAll(file.commands());
            files.add(new PlannedFile(file.path(), file.after()));
        }
        Map<SysctlKey, Long> planned = new LinkedHashMap<>(before);
        plan.changes().forEach(change -> planned.put(change.key(), change.value()));
        if (options.dryRun() || writer.planOnly()) {
            if (writesFile && netns.isOwn()) {
                warnings.addAll(persistWarnings(file, keys, planned));
            }
            return change(ChangeResult.DRY_RUN, plan, before, planned, commands, files, warnings);
        }
        return apply(plan, before, toWrite, writesFile ? file : null, files, warnings);
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

    private SysctlChange apply(Plan plan, Map<SysctlKey, Long> before, List<Requested> toWrite, PersistPlan file,
                               List<PlannedFile> files, List<String> warnings) {
        NetnsTarget netns = plan.netns();
        List<SysctlKey> keys = plan.changes().stream().map(Requested::key).toList();
        writer.requirePrivilege();
        for (Requested change : toWrite) {
            Writability host = writer.sysctlWritability(netns, change.key().name());
            if (!host.writable()) {
                throw readOnly(change.key(), host);
            }
        }
        // audit: intent (action, netns, before, requested values, persist, force + reason, planned commands)
        ChangeRun attempt = new ChangeRun(writer, reader, netns, before);
        for (Requested change : toWrite) {
            if (!attempt.apply(change)) {
                return failed(plan, attempt, before, keys, files, warnings);
            }
        }
        if (file != null && !attempt.persist(persistence, file)) {
            return failed(plan, attempt, before, keys, files, warnings);
        }
        Map<SysctlKey, Long> after = reader.values(netns, keys);
        warnings.addAll(attempt.warnings());
        warnings.addAll(bootWarnings(netns, keys, after));
        // audit: outcome APPLIED (after, commands with exit codes)
        return change(ChangeResult.APPLIED, plan, before, after, attempt.commands(), files, warnings);
    }

    private SysctlChange failed(Plan plan, ChangeRun attempt, Map<SysctlKey, Long> before, List<SysctlKey> keys,
                                List<PlannedFile> files, List<String> warnings) {
        attempt.restore();
        Map<SysctlKey, Long> after = reader.values(plan.netns(), keys);
        warnings.addAll(attempt.warnings());
        SysctlChange change = change(ChangeResult.FAILED, plan, before, after, attempt.commands(), files, warnings);
        boolean restored = after.equals(before);
        // audit: outcome FAILED (after, commands with exit codes, the failure)
        WriteFailure failure = attempt.failure();
        String detail = failure.detail() + (restored ? " Nothing stays changed: what had been applied was restored."
                : " Not everything could be restored; see warnings and after.");
        throw new ChangeFailed(failure.status(), failure.type(), failure.title(), detail,
                new SysctlChange(change.result(), change.action(), change.netns(), change.before(), change.after(),
                        !restored, false, change.persist(), change.commands(), List.of(), change.warnings(), null));
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
                                       List<PlannedFile> files, List<String> warnings) {
        boolean applied = result == ChangeResult.APPLIED;
        return new SysctlChange(result, plan.action(), plan.netns().name().orElse(null), byName(before),
                byName(after), applied, result == ChangeResult.DRY_RUN, plan.options().persist(),
                List.copyOf(commands), List.copyOf(files), List.copyOf(new LinkedHashSet<>(warnings)), null);
    }

    private static Map<String, Long> byName(Map<SysctlKey, Long> values) {
        Map<String, Long> named = new LinkedHashMap<>();
        values.forEach((key, value) -> named.put(key.name(), value));
        return named;
    }
}
