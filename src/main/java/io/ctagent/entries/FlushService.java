package io.ctagent.entries;

import java.util.LinkedHashMap;

import io.ctagent.audit.AuditCommand;
import io.ctagent.audit.AuditResult;
import io.ctagent.change.Change;
import io.ctagent.change.ChangeMode;
import io.ctagent.change.ChangePipeline;
import io.ctagent.change.Done;
import io.ctagent.security.Callers;
import io.ctagent.security.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.springframework.stereotype.Service;

import io.ctagent.hostagent.CommandResult;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Tool;
import io.ctagent.problem.InvalidInput;

/**
 * Deletes conntrack entries: filtered through `conntrack -D` with exactly the filter's options, or the
 * whole table through `conntrack -F`, as a change the one {@link ChangePipeline} runs. Every refusal is
 * audited once: a 400 as INVALID (web layer), the admin check as DENIED, and any other refusal before
 * the intent (unknown namespace, read-only agent...) as FAILED.
 */
@Service
public class FlushService {

    static final String CONFIRM_HEADER = "X-Confirm";
    static final String CONFIRM_ALL = "flush-all";

    private final HostAgent host;
    private final ConntrackTable table;
    private final EntryService entries;
    private final EntriesProperties properties;
    private final ChangePipeline pipeline;
    private final FlushGuard shareGuard;

    public FlushService(HostAgent host, ConntrackTable table, EntryService entries, EntriesProperties properties,
                        ChangePipeline pipeline, FlushGuard shareGuard) {
        this.shareGuard = shareGuard;
        this.host = host;
        this.table = table;
        this.entries = entries;
        this.properties = properties;
        this.pipeline = pipeline;
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
        return pipeline.run(new Flush(netns, plan, confirm, started));
    }

    /** One flush as the change pipeline runs it. */
    private final class Flush implements Change<FlushResult> {

        private final NetnsTarget netns;
        private final Plan plan;
        private final String confirm;
        private final long started;
        private final List<String> warnings = new ArrayList<>();
        private ChangeMode mode;
        private List<List<String>> commands;
        private long before;
        private CommandResult ran;
        private OptionalLong reported;
        private FlushShare share;
        private boolean confirmation;

        Flush(NetnsTarget netns, Plan plan, String confirm, long started) {
            this.netns = netns;
            this.plan = plan;
            this.confirm = confirm;
            this.started = started;
        }

        @Override
        public String action() {
            return plan.all() ? "conntrack.flush-all" : "conntrack.delete";
        }

        @Override
        public String target() {
            return "netns:" + netns.name().orElse("(own)") + "/conntrack";
        }

        @Override
        public Map<String, Object> params() {
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("filter", plan.filter().describe());
            params.put("dryRun", mode == null ? plan.dryRun() : mode.dryRun());
            return params;
        }

        @Override
        public boolean dryRunAsked() {
            return plan.dryRun();
        }

        /** The all-table check: the URL rule lets operators flush by filter; only the body says it is the whole table. */
        @Override
        public void guard(ChangeMode decided) {
            mode = decided;
            if (plan.all()) {
                Callers.require(Role.ADMIN, "flushing the whole table");
            }
            host.requireNetns(netns);
            if (mode == ChangeMode.AGENT_DRY_RUN) {
                warnings.add("the agent runs in dry-run mode (ctagent.host.mode=dry-run): nothing was deleted");
            }
            // The share guard: judged on one pass, before the intent; a refused delete (409) deletes nothing.
            share = plan.all() ? null : shareGuard.measure(netns, plan.filter());
            confirmation = plan.all() || shareGuard.check(netns, share, confirm, mode.dryRun());
            if (mode.dryRun() && share != null && confirmation) {
                warnings.add(FlushGuard.previewWarning(share));
            }
            commands = List.of(host.argv(netns, Tool.CONNTRACK, plan.args()));
        }

        @Override
        public Object before() {
            return null;
        }

        @Override
        public void apply() {
            before = table.count(netns);
            // conntrack -D prints every entry it deletes: the OS throws that away; its summary on stderr counts.
            ran = host.runDiscardingStdout(netns, Tool.CONNTRACK, plan.args(), properties.flushTimeout());
            if (plan.all()) {
                if (!ran.succeeded()) {
                    throw host.commandFailed(ran, "flushing the conntrack table");
                }
                return;
            }
            reported = DeleteReport.deleted(ran.stderr());
            if (!DeleteReport.succeeded(ran.exitCode(), ran.timedOut(), reported)) {
                // Without its summary (it died midway), the table's shrinkage is the best count there is.
                long deleted = reported.orElse(Math.max(0, before - table.count(netns)));
                if (!confirmation) {
                    shareGuard.deleted(netns, deleted); // what it removed before it stopped counts too
                }
                throw host.commandFailed(ran, "deleting conntrack entries (about " + deleted + " deleted before it "
                        + "stopped)").with("deleted", deleted);
            }
        }

        @Override
        public Done<FlushResult> readBack() {
            long after = table.count(netns);
            if (plan.all()) {
                long deleted = Math.max(0, before - after);
                warnings.add("conntrack -F reports no count: deleted is the count before minus the count after, so "
                        + "connections tracked meanwhile make it an undercount");
                return done(before, deleted, new FlushResult.TableState(before, before),
                        new FlushResult.TableState(after, after));
            }
            long deleted = reported.orElse(Math.max(0, before - after));
            long remaining = entries.countMatching(netns, plan.filter());
            if (reported.isEmpty()) {
                warnings.add("conntrack printed no summary; deleted is the count before minus the count after");
            }
            if (remaining > 0) {
                warnings.add(remaining + " entries match the filter again right after the delete: traffic that "
                        + "matches is still arriving");
            }
            if (!confirmation) {
                shareGuard.deleted(netns, deleted);
            }
            return done(deleted, deleted, new FlushResult.TableState(before, null),
                    new FlushResult.TableState(after, remaining));
        }

        @Override
        public Done<FlushResult> plan() {
            long count = table.count(netns);
            long matched = plan.all() ? count : share.matched();
            return done(matched, 0, new FlushResult.TableState(count, matched),
                    new FlushResult.TableState(Math.max(0, count - matched), 0L));
        }

        private Done<FlushResult> done(long matched, long deleted, FlushResult.TableState start,
                                       FlushResult.TableState end) {
            boolean dryRun = mode.dryRun();
            FlushResult result = result(netns, plan, matched, deleted, start, end, !dryRun, dryRun, commands, warnings,
                    started);
            AuditResult recorded = dryRun ? AuditResult.DRY_RUN
                    : deleted > 0 ? AuditResult.APPLIED : AuditResult.UNCHANGED;
            List<AuditCommand> audited = commands.stream()
                    .map(argv -> dryRun ? AuditCommand.planned(argv) : new AuditCommand(argv, ran.exitCode(),
                            ran.durationMillis()))
                    .toList();
            return new Done<>(recorded, start, end, audited, null, warnings, (auditId, all) -> new FlushResult(
                    result.netns(), result.all(), result.filter(), result.matched(), result.deleted(), result.before(),
                    result.after(), result.applied(), result.dryRun(), result.commands(), all, auditId,
                    result.durationMillis(), confirmation));
        }
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
