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
import io.ctagent.sysctl.WriteFailure;
import io.ctagent.web.InvalidInput;
import io.ctagent.web.OperatorProblem;

/**
 * Resizes the hash table: validate -> (audit: intent) -> write buckets (sysctl) or hashsize (sysfs)
 * -> read back -> persist to the sysctl drop-in and, for a module, modprobe.d -> (audit: outcome).
 * A failure puts back what was done.
 */
@Service
class HashsizeChanger {

    private static final long PAGE_ROUNDING = 8192;

    private final HashsizeReader reader;
    private final SysctlCatalog catalog;
    private final SysctlGuards guards;
    private final SysctlPersistence persistence;
    private final HostWriter writer;
    private final MutationLock lock;

    HashsizeChanger(HashsizeReader reader, SysctlCatalog catalog, SysctlGuards guards, SysctlPersistence persistence,
                    HostWriter writer, MutationLock lock) {
        this.reader = reader;
        this.catalog = catalog;
        this.guards = guards;
        this.persistence = persistence;
        this.writer = writer;
        this.lock = lock;
    }

    SysctlChange change(HashsizeRequest body) {
        long value;
        boolean persist;
        boolean dryRun;
        boolean force;
        String reason;
        try {
            HashsizeRequest request = body == null ? new HashsizeRequest(null, null, null, null, null) : body;
            value = catalog.parseValue("value", request.value(), SysctlKey.BUCKETS);
            persist = Boolean.TRUE.equals(request.persist());
            dryRun = Boolean.TRUE.equals(request.dryRun());
            force = Boolean.TRUE.equals(request.force());
            reason = catalog.parseReason(request.reason());
        } catch (InvalidInput invalid) {
            // audit: INVALID (action hashsize.set, body as sent); nothing was attempted
            throw invalid;
        }
        return lock.exclusive(() -> run(value, persist, dryRun || writer.planOnly(), force, reason));
    }

    private SysctlChange run(long value, boolean persist, boolean dryRun, boolean force, String reason) {
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
                beforeMap, force, reason));
        List<PersistPlan> filePlans = persist ? planFiles(value, warnings) : List.of();
        boolean resizes = value != before;
        if (!resizes && filePlans.isEmpty()) {
            return change(ChangeResult.UNCHANGED, beforeMap, beforeMap, persist, List.of(), List.of(), warnings);
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
            return change(ChangeResult.DRY_RUN, beforeMap, Map.of(SysctlKey.BUCKETS, value), persist, commands, files,
                    warnings);
        }
        writer.requirePrivilege();
        // audit: intent (action hashsize.set, before, value, persist, force + reason, planned commands)
        List<List<String>> run = new ArrayList<>();
        if (resizes) {
            HostWrite write = resize(route, value);
            run.addAll(write.commands());
            if (!write.succeeded()) {
                throw failed(WriteFailure.of(what(value), write), before, before, persist, run, warnings);
            }
            long found = readBack(route);
            if (found < value || found - value >= PAGE_ROUNDING) {
                restore(route, before, run, warnings);
                throw failed(WriteFailure.readBack(SysctlKey.BUCKETS.name(), value, found), before,
                        reader.values().get(SysctlKey.BUCKETS), persist, run, warnings);
            }
            if (found != value) {
                warnings.add("The kernel rounded the table from " + value + " up to " + found + " buckets (a whole "
                        + "page of buckets).");
            }
        }
        writeFiles(filePlans, route, resizes ? before : null, run, warnings);
        long after = resizes ? readBack(route) : reader.values().get(SysctlKey.BUCKETS);
        warnings.addAll(persistence.state(persistence.read(), SysctlKey.BUCKETS, after).warnings());
        // audit: outcome APPLIED (after, commands with exit codes)
        return change(ChangeResult.APPLIED, beforeMap, Map.of(SysctlKey.BUCKETS, after), persist, run, files, warnings);
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
                            List<List<String>> run, List<String> warnings) {
        List<PersistPlan> written = new ArrayList<>();
        for (PersistPlan plan : plans) {
            HostWrite write = writer.replaceFile(plan.relative(), plan.after());
            run.addAll(write.commands());
            if (!write.succeeded()) {
                for (PersistPlan done : written) {
                    run.addAll(writer.replaceFile(done.relative(), done.before()).commands());
                    warnings.add("Restored " + done.path() + ".");
                }
                long before = resizedFrom != null ? resizedFrom : reader.values().get(SysctlKey.BUCKETS);
                if (resizedFrom != null) {
                    restore(route, resizedFrom, run, warnings);
                }
                throw failed(WriteFailure.of(plan.path(), write), before, reader.values().get(SysctlKey.BUCKETS),
                        true, run, warnings);
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

    private void restore(HashsizeReader.Route route, long before, List<List<String>> run, List<String> warnings) {
        HostWrite write = resize(route, before);
        run.addAll(write.commands());
        warnings.add(write.succeeded() ? "Restored the table to " + before + " buckets."
                : "Could not restore the table to " + before + " buckets: " + write.message() + ". Set it by hand.");
    }

    private ChangeFailed failed(WriteFailure failure, long before, long after, boolean persist,
                                List<List<String>> run, List<String> warnings) {
        boolean restored = before == after;
        // audit: outcome FAILED (after, commands with exit codes, the failure)
        SysctlChange change = new SysctlChange(ChangeResult.FAILED, "hashsize.set", null,
                byName(Map.of(SysctlKey.BUCKETS, before)), byName(Map.of(SysctlKey.BUCKETS, after)), !restored, false,
                persist, List.copyOf(run), List.of(), List.copyOf(warnings), null);
        String hint = failure.detail().contains("EOPNOTSUPP") || failure.detail().contains("EROFS")
                ? " kube-proxy hits the same error when it sets hashsize from a container." : "";
        return new ChangeFailed(failure.status(), failure.type(), failure.title(), failure.detail() + hint
                + (restored ? " Nothing stays changed." : " Not everything could be restored; see warnings."), change);
    }

    private static String what(long value) {
        return "the hash table size " + value;
    }

    private static SysctlChange change(ChangeResult result, Map<SysctlKey, Long> before, Map<SysctlKey, Long> after,
                                       boolean persist, List<List<String>> commands, List<PlannedFile> files,
                                       List<String> warnings) {
        return new SysctlChange(result, "hashsize.set", null, byName(before), byName(after),
                result == ChangeResult.APPLIED, result == ChangeResult.DRY_RUN, persist, List.copyOf(commands),
                List.copyOf(files), List.copyOf(warnings), null);
    }

    private static Map<String, Long> byName(Map<SysctlKey, Long> values) {
        Map<String, Long> named = new LinkedHashMap<>();
        values.forEach((key, value) -> named.put(key.name(), value));
        return named;
    }
}
