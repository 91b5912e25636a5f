package io.ctagent.entries;

import java.util.LinkedHashMap;
import java.util.function.Supplier;

import io.ctagent.audit.AuditCommand;
import io.ctagent.audit.AuditIntent;
import io.ctagent.audit.AuditLog;
import io.ctagent.audit.AuditResult;
import io.ctagent.hostagent.MutationLock;
import io.ctagent.security.Callers;
import io.ctagent.security.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import io.ctagent.hostagent.CommandResult;
import io.ctagent.hostagent.EffectiveMode;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Tool;
import io.ctagent.problem.InvalidInput;
import io.ctagent.problem.OperatorProblem;

/**
 * Deletes conntrack entries: filtered through `conntrack -D` with exactly the filter's options, or the
 * whole table through `conntrack -F`. One path for every change: validate, audit the intent, apply
 * through the host agent, read back, audit the outcome. Changes run one at a time. Every refusal is
 * audited once: a 400 as INVALID (web layer), the admin check as DENIED (Spring Security), and any
 * other refusal before the intent (unknown namespace, read-only agent...) as FAILED (AuditLog#attempt).
 */
@Service
public class FlushService {

    static final String CONFIRM_HEADER = "X-Confirm";
    static final String CONFIRM_ALL = "flush-all";

    private final HostAgent host;
    private final ConntrackTable table;
    private final EntryService entries;
    private final EntriesProperties properties;
    private final MutationLock mutations;
    private final AuditLog audit;
    private final FlushGuard guard;

    public FlushService(HostAgent host, ConntrackTable table, EntryService entries, EntriesProperties properties,
                        MutationLock mutations, AuditLog audit, FlushGuard guard) {
        this.guard = guard;
        this.host = host;
        this.table = table;
        this.entries = entries;
        this.properties = properties;
        this.mutations = mutations;
        this.audit = audit;
    }

    /** What a request asks for once validated: the filter and the conntrack arguments that express it. */
    record Plan(boolean all, EntryFilter filter, List<String> args, boolean dryRun) {
    }

    /** Checks a request completely before anything touches the host; every refusal is a 400 naming the field. */
    static Plan plan(FlushRequest request, String confirm) {
        if (!request.unknown().isEmpty()) {
            String field = request.unknown().keySet().iterator().next();
            throw new InvalidInput(field, "unknown field '" + field + "'; a flush takes filter, dryRun and all");
        }
        boolean dryRun = Boolean.TRUE.equals(request.dryRun());
        if (Boolean.TRUE.equals(request.all())) {
            if (request.filter() != null && !request.filter().given().isEmpty()
                    || request.filter() != null && !request.filter().unknown().isEmpty()) {
                throw new InvalidInput("all", "all flushes the whole table; send either all or a filter, not both");
            }
            if (!CONFIRM_ALL.equals(confirm)) {
                throw new InvalidInput(CONFIRM_HEADER, "flushing the whole table drops every tracked connection "
                        + "and NAT mapping; confirm it with the header " + CONFIRM_HEADER + ": " + CONFIRM_ALL);
            }
            return new Plan(true, EntryFilter.ALL, List.of("-F"), dryRun);
        }
        EntryFilter filter = EntryFilter.parse(request.filter() == null ? FilterParams.NONE : request.filter());
        return new Plan(false, filter, DeleteCommand.args(filter), dryRun);
    }

    public FlushResult flush(NetnsTarget netns, FlushRequest request, String confirm) {
        long started = System.nanoTime();
        Plan plan = plan(request, confirm); // a refusal is a 400, audited as INVALID by the web layer
        return audit.attempt(action(plan), target(netns), params(plan, plan.dryRun()), () -> {
            if (plan.all()) {
                // The URL rule lets operators flush by filter; only the body says it is the whole table.
                Callers.require(Role.ADMIN, "flushing the whole table");
            }
            host.requireNetns(netns);
            List<String> warnings = new ArrayList<>();
            boolean dryRun = plan.dryRun();
            if (host.mode() == EffectiveMode.DRY_RUN) {
                dryRun = true;
                warnings.add("the agent runs in dry-run mode (ctagent.host.mode=dry-run): nothing was deleted");
            } else if (!dryRun && host.mode() == EffectiveMode.READ_ONLY) {
                throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "read-only", "Agent is read-only",
                        "The agent may not change the host: it does not run as root and sudo -n is not allowed. Run "
                                + "it as root, or install packaging/sudoers.d/conntrack-agent; dryRun still works.");
            }
            List<List<String>> commands = List.of(host.argv(netns, Tool.CONNTRACK, plan.args()));
            boolean preview = dryRun;
            return mutations.exclusive(() -> {
                // Judged on one pass before the intent: a refused delete (409, audited) deletes nothing.
                FlushShare share = plan.all() ? null : guard.measure(netns, plan.filter());
                boolean confirmation = plan.all() || guard.check(share, confirm, preview);
                if (preview && share != null && confirmation) {
                    warnings.add(FlushGuard.previewWarning(share));
                }
                return audited(netns, plan, preview, confirmation, () -> preview
                        ? preview(netns, plan, share, commands, warnings, started)
                        : plan.all() ? flushAll(netns, plan, commands, warnings, started)
                        : delete(netns, plan, commands, warnings, started));
            });
        });
    }

    private static String action(Plan plan) {
        return plan.all() ? "conntrack.flush-all" : "conntrack.delete";
    }

    private static String target(NetnsTarget netns) {
        return "netns:" + netns.name().orElse("(own)") + "/conntrack";
    }

    private static Map<String, Object> params(Plan plan, boolean dryRun) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("filter", plan.filter().describe());
        params.put("dryRun", dryRun);
        return params;
    }

    /** Intent before the host is touched (no record, no change: 503), outcome after, FAILED on a throw. */
    private FlushResult audited(NetnsTarget netns, Plan plan, boolean dryRun, boolean confirmation,
                                Supplier<FlushResult> flush) {
        AuditIntent intent = audit.intent(action(plan), target(netns), params(plan, dryRun), null);
        FlushResult done;
        try {
            done = flush.get();
        } catch (RuntimeException failure) {
            audit.outcome(intent, AuditResult.FAILED, null, null, List.of(), failure.getMessage());
            throw failure;
        }
        AuditResult result = done.dryRun() ? AuditResult.DRY_RUN
                : done.deleted() > 0 ? AuditResult.APPLIED : AuditResult.UNCHANGED;
        List<AuditCommand> commands = done.commands().stream()
                .map(argv -> dryRun ? AuditCommand.planned(argv) : new AuditCommand(argv, 0, done.durationMillis()))
                .toList();
        String auditId = audit.outcome(intent, result, done.before(), done.after(), commands, null);
        return new FlushResult(done.netns(), done.all(), done.filter(), done.matched(), done.deleted(), done.before(),
                done.after(), done.applied(), done.dryRun(), done.commands(), done.warnings(), auditId,
                done.durationMillis(), confirmation);
    }

    private FlushResult preview(NetnsTarget netns, Plan plan, FlushShare share, List<List<String>> commands,
                                List<String> warnings, long started) {
        long count = table.count(netns);
        long matched = plan.all() ? count : share.matched();
        return result(netns, plan, matched, 0, new FlushResult.TableState(count, matched),
                new FlushResult.TableState(Math.max(0, count - matched), 0L), false, true, commands, warnings,
                started);
    }

    private FlushResult delete(NetnsTarget netns, Plan plan, List<List<String>> commands, List<String> warnings,
                               long started) {
        long before = table.count(netns);
        // conntrack -D prints every entry it deletes: the OS throws that away; its summary on stderr counts.
        CommandResult result = host.runDiscardingStdout(netns, Tool.CONNTRACK, plan.args(),
                properties.flushTimeout());
        OptionalLong reported = DeleteReport.deleted(result.stderr());
        boolean succeeded = DeleteReport.succeeded(result.exitCode(), result.timedOut(), reported);
        long after = table.count(netns);
        // Without its summary (it died midway), the table's shrinkage is the best count there is.
        long deleted = reported.orElse(Math.max(0, before - after));
        Long remaining = succeeded ? entries.countMatching(netns, plan.filter()) : null;
        if (!succeeded) {
            throw host.commandFailed(result, "deleting conntrack entries (about " + deleted + " deleted before it "
                    + "stopped)").with("deleted", deleted);
        }
        if (reported.isEmpty()) {
            warnings.add("conntrack printed no summary; deleted is the count before minus the count after");
        }
        if (remaining != null && remaining > 0) {
            warnings.add(remaining + " entries match the filter again right after the delete: traffic that "
                    + "matches is still arriving");
        }
        return result(netns, plan, deleted, deleted, new FlushResult.TableState(before, null),
                new FlushResult.TableState(after, remaining), true, false, commands, warnings, started);
    }

    private FlushResult flushAll(NetnsTarget netns, Plan plan, List<List<String>> commands, List<String> warnings,
                                 long started) {
        long before = table.count(netns);
        CommandResult result = host.runDiscardingStdout(netns, Tool.CONNTRACK, plan.args(),
                properties.flushTimeout());
        long after = table.count(netns);
        if (!result.succeeded()) {
            throw host.commandFailed(result, "flushing the conntrack table");
        }
        long deleted = Math.max(0, before - after);
        warnings.add("conntrack -F reports no count: deleted is the count before minus the count after, so "
                + "connections tracked meanwhile make it an undercount");
        return result(netns, plan, before, deleted, new FlushResult.TableState(before, before),
                new FlushResult.TableState(after, after), true, false, commands, warnings, started);
    }

    private static FlushResult result(NetnsTarget netns, Plan plan, long matched, long deleted,
                                      FlushResult.TableState before, FlushResult.TableState after, boolean applied,
                                      boolean dryRun, List<List<String>> commands, List<String> warnings,
                                      long started) {
        Map<String, String> filter = plan.filter().describe();
        return new FlushResult(netns.name().orElse(null), plan.all(), filter, matched, deleted, before, after,
                applied, dryRun, commands, List.copyOf(warnings), null, (System.nanoTime() - started) / 1_000_000,
                plan.all());
    }
}
