package io.ctagent.hashsize;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import io.ctagent.hostagent.HostWrite;
import io.ctagent.hostagent.HostWriter;
import io.ctagent.hostagent.MutationLock;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.sysctl.ChangeAudit;
import io.ctagent.sysctl.ChangeFailed;
import io.ctagent.sysctl.ChangeResult;
import io.ctagent.sysctl.ChangeSteps;
import io.ctagent.sysctl.PersistPlan;
import io.ctagent.sysctl.PlannedFile;
import io.ctagent.sysctl.SysctlCatalog;
import io.ctagent.sysctl.SysctlChange;
import io.ctagent.sysctl.SysctlGuards;
import io.ctagent.sysctl.SysctlGuards.Requested;
import io.ctagent.sysctl.SysctlKey;
import io.ctagent.sysctl.SysctlPersistence;
import io.ctagent.sysctl.WriteFailure;
import io.ctagent.problem.OperatorProblem;

/**
 * Resizes the hash table: validate -> audit intent -> write buckets (sysctl) or hashsize (sysfs)
 * -> read back -> persist to the sysctl drop-in and, for a module, modprobe.d -> audit outcome.
 * A failure puts back what was done and is audited as FAILED; so is a refusal before the intent
 * (read-only table, guard, no privilege). Serialised with the sysctl changes by the one {@link MutationLock}.
 */
@Service
class HashsizeChanger {

    private static final long PAGE_ROUNDING = 8192;
    private static final String ACTION = "hashsize.set";

    private final HashsizeReader reader;
    private final SysctlCatalog catalog;
    private final SysctlGuards guards;
    private final SysctlPersistence persistence;
    private final HostWriter writer;
    private final MutationLock lock;
    private final ChangeAudit audit;

    HashsizeChanger(HashsizeReader reader, SysctlCatalog catalog, SysctlGuards guards, SysctlPersistence persistence,
                    HostWriter writer, MutationLock lock, ChangeAudit audit) {
        this.reader = reader;
        this.catalog = catalog;
        this.guards = guards;
        this.persistence = persistence;
        this.writer = writer;
        this.lock = lock;
        this.audit = audit;
    }

    /** What the client asked, parsed (a 400 InvalidInput otherwise, which the web layer audits as INVALID). */
    private record Ask(long value, boolean persist, boolean dryRun, boolean force, String reason) {
    }

    SysctlChange change(HashsizeRequest body) {
        HashsizeRequest request = body == null ? new HashsizeRequest(null, null, null, null, null) : body;
        Ask ask = new Ask(catalog.parseValue("value", request.value(), SysctlKey.BUCKETS),
                Boolean.TRUE.equals(request.persist()), Boolean.TRUE.equals(request.dryRun()),
                Boolean.TRUE.equals(request.force()), catalog.parseReason(request.reason()));
        return audit.attempt(ACTION, ChangeAudit.target(NetnsTarget.OWN, List.of(SysctlKey.BUCKETS)), params(ask),
                () -> lock.exclusive(() -> run(ask)));
    }

    private SysctlChange run(Ask ask) {
        long value = ask.value();
        boolean persist = ask.persist();
        boolean dryRun = ask.dryRun() || writer.planOnly();
        HashsizeReader.Route route = reader.route();
        if (!catalog.ownNamespaceIsInitial()) {
            throw new OperatorProblem(HttpStatus.CONFLICT, "hashsize-read-only", "Hash table cannot be resized here",
                    route.reason() + " Nothing was changed.");
        }
        if (!route.writable() && !dryRun) {
            writer.requirePrivilege();
            throw new OperatorProblem(HttpStatus.CONFLICT, "hashsize-read-only", "Hash table cannot be resized here",
                    route.reason() + " Nothing was changed.");
        }
        long before = reader.values().get(SysctlKey.BUCKETS);
        Map<SysctlKey, Long> beforeMap = Map.of(SysctlKey.BUCKETS, before);
        List<String> warnings = new ArrayList<>(guards.check(List.of(new Requested(SysctlKey.BUCKETS, value)),
                beforeMap, ask.force(), ask.reason()));
        List<PersistPlan> filePlans = persist ? planFiles(value, warnings) : List.of();
        boolean resizes = value != before;
        boolean unchanged = !resizes && filePlans.isEmpty();
        if (!unchanged && !dryRun) {
            writer.requirePrivilege();
        }
        ChangeAudit.State start = state(before, persist);
        // Fail closed: when the intent cannot be written this throws 503 and nothing below runs.
        ChangeAudit.Pending pending = audit.intent(ACTION, NetnsTarget.OWN, List.of(SysctlKey.BUCKETS),
                params(ask), start);
        ChangeSteps steps = new ChangeSteps();
        try {
            if (unchanged) {
                String auditId = pending.outcome(ChangeResult.UNCHANGED, start, List.of(), null, warnings);
                SysctlChange same = change(ChangeResult.UNCHANGED, beforeMap, beforeMap, persist, List.of(), List.of(),
                        warnings, auditId);
                // A dry run that would change nothing is still a dry run: say so, as asked.
                return dryRun ? same.asDryRun() : same;
            }
            List<List<String>> commands = new ArrayList<>();
            if (resizes) {
                commands.add(route.viaSysctl() || !route.writable()
                        ? writer.sysctlCommand(NetnsTarget.OWN, SysctlKey.BUCKETS.name(), value)
                        : writer.sysParameterCommand(HashsizeReader.HASHSIZE, value));
            }
            List<PlannedFile> files = new ArrayList<>();
            filePlans.forEach(plan -> {
                commands.addAll(plan.commands());
                files.add(new PlannedFile(plan.path(), plan.after()));
            });
            if (dryRun) {
                ChangeAudit.State planned = new ChangeAudit.State(null, Map.of(SysctlKey.BUCKETS.name(), value),
                        persist ? Map.of(SysctlKey.BUCKETS.name(), value) : null);
                String auditId = pending.outcome(ChangeResult.DRY_RUN, planned, ChangeAudit.planned(commands), null,
                        warnings);
                return change(ChangeResult.DRY_RUN, beforeMap, Map.of(SysctlKey.BUCKETS, value), persist, commands,
                        files, warnings, auditId);
            }
            return apply(route, value, before, persist, resizes, filePlans, files, steps, pending, warnings);
        } catch (ChangeFailed recorded) {
            throw recorded;
        } catch (RuntimeException failure) {
            pending.failedUnexpectedly(failure, stateQuietly(persist), steps.audited());
            throw failure;
        }
    }

    private SysctlChange apply(HashsizeReader.Route route, long value, long before, boolean persist, boolean resizes,
                               List<PersistPlan> filePlans, List<PlannedFile> files, ChangeSteps steps,
                               ChangeAudit.Pending pending, List<String> warnings) {
        if (resizes) {
            HostWrite write = steps.add(resize(route, value));
            if (!write.succeeded()) {
                throw failed(WriteFailure.of(what(value), write), before, before, persist, steps, warnings, pending);
            }
            long found = readBack(route);
            if (found < value || found - value >= PAGE_ROUNDING) {
                restore(route, before, steps, warnings);
                throw failed(WriteFailure.readBack(SysctlKey.BUCKETS.name(), value, found), before,
                        reader.values().get(SysctlKey.BUCKETS), persist, steps, warnings, pending);
            }
            if (found != value) {
                warnings.add("The kernel rounded the table from " + value + " up to " + found + " buckets (a whole "
                        + "page of buckets).");
            }
        }
        writeFiles(filePlans, route, resizes ? before : null, steps, warnings, pending);
        long after = resizes ? readBack(route) : reader.values().get(SysctlKey.BUCKETS);
        warnings.addAll(persistence.state(persistence.read(), SysctlKey.BUCKETS, after).warnings());
        String auditId = pending.outcome(ChangeResult.APPLIED, state(after, persist), steps.audited(), null, warnings);
        return change(ChangeResult.APPLIED, Map.of(SysctlKey.BUCKETS, before), Map.of(SysctlKey.BUCKETS, after),
                persist, steps.commands(), files, warnings, auditId);
    }

    /** What the caller asked, for the intent record. */
    private static Map<String, Object> params(Ask ask) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("value", ask.value());
        params.put("persist", ask.persist());
        params.put("dryRun", ask.dryRun());
        params.put("force", ask.force());
        params.put("reason", ask.reason());
        return params;
    }

    /** The table size as the audit records it, with the drop-in's value when the change persists. */
    private ChangeAudit.State state(long buckets, boolean persist) {
        Map<String, Long> dropIn = persist
                ? ChangeAudit.dropIn(persistence.read().managedContent(), List.of(SysctlKey.BUCKETS)) : null;
        return new ChangeAudit.State(null, Map.of(SysctlKey.BUCKETS.name(), buckets), dropIn);
    }

    private ChangeAudit.State stateQuietly(boolean persist) {
        try {
            return state(reader.values().get(SysctlKey.BUCKETS), persist);
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    /** The sysctl drop-in with the new buckets and, for a loadable module, the modprobe.d options: those that change. */
    private List<PersistPlan> planFiles(long value, List<String> warnings) {
        List<PersistPlan> plans = new ArrayList<>();
        plans.add(persistence.plan(persistence.read(), Map.of(SysctlKey.BUCKETS, value), Set.of()));
        if (reader.builtIn()) {
            warnings.add("nf_conntrack is built into this kernel: the size is persisted as "
                    + "net.netfilter.nf_conntrack_buckets only (module options would be ignored).");
        } else {
            String current = reader.modprobeContent();
            plans.add(new PersistPlan("/" + reader.modprobeFile(), reader.modprobeFile(), current,
                    ModprobeOptions.withHashsize(current, value), writer.replaceFileCommands(reader.modprobeFile())));
        }
        return plans.stream().filter(PersistPlan::changes).toList();
    }

    /** Writes the files in order; on a failure puts back the files written and the table size. */
    private void writeFiles(List<PersistPlan> plans, HashsizeReader.Route route, Long resizedFrom,
                            ChangeSteps steps, List<String> warnings, ChangeAudit.Pending pending) {
        List<PersistPlan> written = new ArrayList<>();
        for (PersistPlan plan : plans) {
            HostWrite write = steps.add(writer.replaceFile(plan.relative(), plan.after()));
            if (!write.succeeded()) {
                for (PersistPlan done : written) {
                    HostWrite undo = steps.add(writer.replaceFile(done.relative(), done.before()));
                    warnings.add(undo.succeeded() ? "Restored " + done.path() + "."
                            : "Could not restore " + done.path() + ": " + undo.message() + ". Put it back by hand.");
                }
                long before = resizedFrom != null ? resizedFrom : reader.values().get(SysctlKey.BUCKETS);
                if (resizedFrom != null) {
                    restore(route, resizedFrom, steps, warnings);
                }
                throw failed(WriteFailure.of(plan.path(), write), before, reader.values().get(SysctlKey.BUCKETS),
                        true, steps, warnings, pending);
            }
            written.add(plan);
        }
    }

    /** Reads back what was written: the buckets sysctl, or the module parameter. */
    private long readBack(HashsizeReader.Route route) {
        if (route.viaSysctl()) {
            return reader.values().get(SysctlKey.BUCKETS);
        }
        Long hashsize = reader.hashsize();
        return hashsize == null ? -1 : hashsize;
    }

    private HostWrite resize(HashsizeReader.Route route, long value) {
        return route.viaSysctl() ? writer.writeSysctl(NetnsTarget.OWN, SysctlKey.BUCKETS.name(), value)
                : writer.writeSysParameter(HashsizeReader.HASHSIZE, value);
    }

    private void restore(HashsizeReader.Route route, long before, ChangeSteps steps, List<String> warnings) {
        HostWrite write = steps.add(resize(route, before));
        warnings.add(write.succeeded() ? "Restored the table to " + before + " buckets."
                : "Could not restore the table to " + before + " buckets: " + write.message() + ". Set it by hand.");
    }

    /** Records FAILED and answers with the problem to throw, carrying the change and its auditId. */
    private ChangeFailed failed(WriteFailure failure, long before, long after, boolean persist, ChangeSteps steps,
                                List<String> warnings, ChangeAudit.Pending pending) {
        boolean restored = before == after;
        String hint = failure.detail().contains("EOPNOTSUPP") || failure.detail().contains("EROFS")
                ? " kube-proxy hits the same error when it sets hashsize from a container." : "";
        String detail = failure.detail() + hint
                + (restored ? " Nothing stays changed." : " Not everything could be restored; see warnings.");
        String auditId = pending.outcome(ChangeResult.FAILED, state(after, persist), steps.audited(), detail,
                warnings);
        SysctlChange change = new SysctlChange(ChangeResult.FAILED, ACTION, null,
                byName(Map.of(SysctlKey.BUCKETS, before)), byName(Map.of(SysctlKey.BUCKETS, after)), !restored, false,
                persist, steps.commands(), List.of(), List.copyOf(warnings), auditId);
        return new ChangeFailed(failure.status(), failure.type(), failure.title(), detail, change);
    }

    private static String what(long value) {
        return "the hash table size " + value;
    }

    private static SysctlChange change(ChangeResult result, Map<SysctlKey, Long> before, Map<SysctlKey, Long> after,
                                       boolean persist, List<List<String>> commands, List<PlannedFile> files,
                                       List<String> warnings, String auditId) {
        return new SysctlChange(result, ACTION, null, byName(before), byName(after),
                result == ChangeResult.APPLIED, result == ChangeResult.DRY_RUN, persist, List.copyOf(commands),
                List.copyOf(files), List.copyOf(warnings), auditId);
    }

    private static Map<String, Long> byName(Map<SysctlKey, Long> values) {
        Map<String, Long> named = new LinkedHashMap<>();
        values.forEach((key, value) -> named.put(key.name(), value));
        return named;
    }
}
