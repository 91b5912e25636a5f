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
import io.ctagent.audit.AuditCommand;
import io.ctagent.audit.AuditResult;
import io.ctagent.change.Change;
import io.ctagent.change.ChangeFailure;
import io.ctagent.change.ChangeMode;
import io.ctagent.change.ChangePipeline;
import io.ctagent.change.ChangeSteps;
import io.ctagent.change.Done;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.sysctl.ChangeFailed;
import io.ctagent.sysctl.ChangeResult;
import io.ctagent.sysctl.PersistPlan;
import io.ctagent.sysctl.PlannedFile;
import io.ctagent.sysctl.SysctlCatalog;
import io.ctagent.sysctl.SysctlChange;
import io.ctagent.sysctl.SysctlGuards;
import io.ctagent.sysctl.SysctlGuards.Requested;
import io.ctagent.sysctl.SysctlKey;
import io.ctagent.sysctl.SysctlPersistence;
import io.ctagent.sysctl.SysctlState;
import io.ctagent.sysctl.WriteFailure;
import io.ctagent.problem.OperatorProblem;

/**
 * Resizes the hash table through the one change pipeline: guards (writable table, the sysctl
 * guards) -> intent -> write buckets (sysctl) or hashsize (sysfs) -> read back -> persist to the
 * sysctl drop-in and, for a module, modprobe.d -> outcome. A failure puts back what was done and is
 * audited as FAILED; so is a refusal before the intent (read-only table, guard, no privilege).
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
    private final ChangePipeline pipeline;

    HashsizeChanger(HashsizeReader reader, SysctlCatalog catalog, SysctlGuards guards, SysctlPersistence persistence,
                    HostWriter writer, ChangePipeline pipeline) {
        this.reader = reader;
        this.catalog = catalog;
        this.guards = guards;
        this.persistence = persistence;
        this.writer = writer;
        this.pipeline = pipeline;
    }

    /** What the client asked, parsed (a 400 InvalidInput otherwise, which the web layer audits as INVALID). */
    private record Ask(long value, boolean persist, boolean dryRun, boolean force, String reason) {
    }

    SysctlChange change(HashsizeRequest body) {
        HashsizeRequest request = body == null ? new HashsizeRequest(null, null, null, null, null) : body;
        Ask ask = new Ask(catalog.parseValue("value", request.value(), SysctlKey.BUCKETS),
                Boolean.TRUE.equals(request.persist()), Boolean.TRUE.equals(request.dryRun()),
                Boolean.TRUE.equals(request.force()), catalog.parseReason(request.reason()));
        return pipeline.run(new Resize(ask));
    }

    /** One resize as the change pipeline runs it. */
    private final class Resize implements Change<SysctlChange> {

        private final Ask ask;
        private final List<String> warnings = new ArrayList<>();
        private final ChangeSteps steps = new ChangeSteps();
        private final List<PlannedFile> files = new ArrayList<>();
        private HashsizeReader.Route route;
        private long before;
        private List<PersistPlan> filePlans;
        private boolean resizes;
        private boolean unchanged;
        private SysctlState start;

        Resize(Ask ask) {
            this.ask = ask;
        }

        @Override
        public String action() {
            return ACTION;
        }

        @Override
        public String target() {
            return SysctlState.target(NetnsTarget.OWN, List.of(SysctlKey.BUCKETS));
        }

        /** What the caller asked, for the intent record. */
        @Override
        public Map<String, Object> params() {
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("value", ask.value());
            params.put("persist", ask.persist());
            params.put("dryRun", ask.dryRun());
            params.put("force", ask.force());
            params.put("reason", ask.reason());
            return params;
        }

        @Override
        public boolean dryRunAsked() {
            return ask.dryRun();
        }

        @Override
        public void guard(ChangeMode mode) {
            route = reader.route();
            if (!catalog.ownNamespaceIsInitial() || !route.writable() && !mode.dryRun()) {
                throw new OperatorProblem(HttpStatus.CONFLICT, "hashsize-read-only",
                        "Hash table cannot be resized here", route.reason() + " Nothing was changed.");
            }
            before = reader.values().get(SysctlKey.BUCKETS);
            warnings.addAll(guards.check(List.of(new Requested(SysctlKey.BUCKETS, ask.value())),
                    Map.of(SysctlKey.BUCKETS, before), ask.force(), ask.reason()));
            filePlans = ask.persist() ? planFiles(ask.value(), warnings) : List.of();
            filePlans.forEach(plan -> files.add(new PlannedFile(plan.path(), plan.after())));
            resizes = ask.value() != before;
            unchanged = !resizes && filePlans.isEmpty();
            start = state(before, ask.persist());
        }

        @Override
        public SysctlState before() {
            return start;
        }

        @Override
        public void apply() {
            if (unchanged) {
                return;
            }
            long value = ask.value();
            if (resizes) {
                HostWrite write = steps.add(resize(route, value));
                if (!write.succeeded()) {
                    throw failed(WriteFailure.of(what(value), write), before, before, ask.persist(), steps, warnings);
                }
                long found = readTable(route);
                if (found < value || found - value >= PAGE_ROUNDING) {
                    restore(route, before, steps, warnings);
                    throw failed(WriteFailure.readBack(SysctlKey.BUCKETS.name(), value, found), before,
                            reader.values().get(SysctlKey.BUCKETS), ask.persist(), steps, warnings);
                }
                if (found != value) {
                    warnings.add("The kernel rounded the table from " + value + " up to " + found + " buckets (a "
                            + "whole page of buckets).");
                }
            }
            writeFiles(filePlans, route, resizes ? before : null, steps, warnings);
        }

        @Override
        public Done<SysctlChange> readBack() {
            if (unchanged) {
                return done(ChangeResult.UNCHANGED, start, List.of(), before, List.of(), List.of());
            }
            long after = resizes ? readTable(route) : reader.values().get(SysctlKey.BUCKETS);
            warnings.addAll(persistence.state(persistence.read(), SysctlKey.BUCKETS, after).warnings());
            return done(ChangeResult.APPLIED, state(after, ask.persist()), steps.audited(), after, steps.commands(),
                    files);
        }

        @Override
        public Done<SysctlChange> plan() {
            if (unchanged) {
                return readBack();
            }
            long value = ask.value();
            List<List<String>> commands = new ArrayList<>();
            if (resizes) {
                commands.add(route.viaSysctl() || !route.writable()
                        ? writer.sysctlCommand(NetnsTarget.OWN, SysctlKey.BUCKETS.name(), value)
                        : writer.sysParameterCommand(HashsizeReader.HASHSIZE, value));
            }
            filePlans.forEach(plan -> commands.addAll(plan.commands()));
            SysctlState planned = new SysctlState(null, Map.of(SysctlKey.BUCKETS.name(), value),
                    ask.persist() ? Map.of(SysctlKey.BUCKETS.name(), value) : null);
            return done(ChangeResult.DRY_RUN, planned, ChangeSteps.planned(commands), value, commands, files);
        }

        @Override
        public Done<SysctlChange> failedUnexpectedly(String reason) {
            return new Done<>(AuditResult.FAILED, start, stateQuietly(ask.persist()), steps.audited(), reason,
                    List.of(), null);
        }

        private Done<SysctlChange> done(ChangeResult result, SysctlState after, List<AuditCommand> audited,
                                        long afterValue, List<List<String>> commands, List<PlannedFile> planned) {
            return new Done<>(AuditResult.valueOf(result.name()), start, after, audited, null, warnings,
                    (auditId, all) -> change(result, Map.of(SysctlKey.BUCKETS, before),
                            Map.of(SysctlKey.BUCKETS, afterValue), ask.persist(), commands, planned, all, auditId));
        }

        /** Records FAILED and answers with the problem to throw, carrying the change and its auditId. */
        private ChangeFailure failed(WriteFailure failure, long beforeValue, long after, boolean persist,
                                     ChangeSteps ran, List<String> warned) {
            boolean restored = beforeValue == after;
            String hint = failure.detail().contains("EOPNOTSUPP") || failure.detail().contains("EROFS")
                    ? " kube-proxy hits the same error when it sets hashsize from a container." : "";
            String detail = failure.detail() + hint
                    + (restored ? " Nothing stays changed." : " Not everything could be restored; see warnings.");
            return new ChangeFailure(new Done<SysctlChange>(AuditResult.FAILED, start, state(after, persist),
                    ran.audited(), detail, warned, (auditId, all) -> {
                        SysctlChange change = new SysctlChange(ChangeResult.FAILED, ACTION, null,
                                byName(Map.of(SysctlKey.BUCKETS, beforeValue)), byName(Map.of(SysctlKey.BUCKETS, after)),
                                !restored, false, persist, ran.commands(), List.of(), List.copyOf(all), auditId);
                        throw new ChangeFailed(failure.status(), failure.type(), failure.title(), detail, change);
                    }));
        }

        /** Writes the files in order; on a failure puts back the files written and the table size. */
        private void writeFiles(List<PersistPlan> plans, HashsizeReader.Route via, Long resizedFrom,
                                ChangeSteps ran, List<String> warned) {
            List<PersistPlan> written = new ArrayList<>();
            for (PersistPlan plan : plans) {
                HostWrite write = ran.add(writer.replaceFile(plan.relative(), plan.after()));
                if (!write.succeeded()) {
                    for (PersistPlan done : written) {
                        HostWrite undo = ran.add(writer.replaceFile(done.relative(), done.before()));
                        warned.add(undo.succeeded() ? "Restored " + done.path() + "."
                                : "Could not restore " + done.path() + ": " + undo.message() + ". Put it back by hand.");
                    }
                    long was = resizedFrom != null ? resizedFrom : reader.values().get(SysctlKey.BUCKETS);
                    if (resizedFrom != null) {
                        restore(via, resizedFrom, ran, warned);
                    }
                    throw failed(WriteFailure.of(plan.path(), write), was, reader.values().get(SysctlKey.BUCKETS),
                            true, ran, warned);
                }
                written.add(plan);
            }
        }
    }

    /** The table size as the audit records it, with the drop-in's value when the change persists. */
    private SysctlState state(long buckets, boolean persist) {
        Map<String, Long> dropIn = persist
                ? SysctlState.dropIn(persistence.read().managedContent(), List.of(SysctlKey.BUCKETS)) : null;
        return new SysctlState(null, Map.of(SysctlKey.BUCKETS.name(), buckets), dropIn);
    }

    private SysctlState stateQuietly(boolean persist) {
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

    /** Reads back what was written: the buckets sysctl, or the module parameter. */
    private long readTable(HashsizeReader.Route route) {
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
