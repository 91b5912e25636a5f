package io.ctagent.notrack;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

import io.ctagent.audit.AgentActor;
import io.ctagent.audit.AuditCommand;
import io.ctagent.audit.AuditIntent;
import io.ctagent.audit.AuditLog;
import io.ctagent.audit.AuditResult;
import io.ctagent.hostagent.NetnsTarget;

/**
 * Records every NOTRACK change in the audit log: the intent before the kernel is touched (no
 * record, no change: a 503), the outcome after, and FAILED when the change throws, or when it is
 * refused before its intent (see {@link #attempt}).
 */
@Component
class NotrackAudit {

    private final AuditLog audit;

    NotrackAudit(AuditLog audit) {
        this.audit = audit;
    }

    /**
     * Runs a change so that a refusal before its intent (a read-only agent, a match-all rule without
     * the admin role, an unknown namespace) leaves one record too; see {@link AuditLog#attempt}.
     */
    <T> T attempt(String action, NetnsTarget netns, String ruleId, Map<String, ?> params, Supplier<T> change) {
        return audit.attempt(action, target(netns, ruleId), params, change);
    }

    NotrackChange record(String action, NetnsTarget netns, String ruleId, Map<String, ?> params, Object before,
                         Supplier<NotrackChange> change) {
        AuditIntent intent = audit.intent(action, target(netns, ruleId), params, before);
        NotrackChange done;
        try {
            done = change.get();
        } catch (RuntimeException failure) {
            audit.outcome(intent, AuditResult.FAILED, before, null, List.of(), failure.getMessage());
            throw failure;
        }
        AuditResult result = done.dryRun() ? AuditResult.DRY_RUN
                : done.applied() ? AuditResult.APPLIED : AuditResult.UNCHANGED;
        String auditId = audit.outcome(intent, result, done.before(), done.after(), commands(done.commands()), null);
        return new NotrackChange(done.before(), done.after(), done.applied(), done.dryRun(), done.commands(),
                done.warnings(), auditId);
    }

    /** The reconciler's re-creation, with the agent as actor; answers whether the rules are back. */
    boolean recordRepair(NetnsTarget netns, List<String> ruleIds, Runnable repair, Supplier<Boolean> restored) {
        AuditIntent intent = audit.intent("notrack.reconcile", target(netns, String.join(",", ruleIds)),
                Map.of("missing", ruleIds), null);
        try {
            repair.run();
        } catch (RuntimeException failure) {
            audit.outcome(intent, AuditResult.FAILED, null, null, List.of(), failure.getMessage());
            throw failure;
        }
        boolean ok = restored.get();
        audit.outcome(intent, ok ? AuditResult.APPLIED : AuditResult.FAILED, null, Map.of("restored", ok), List.of(),
                ok ? null : "rules still missing after re-creating them");
        return ok;
    }

    /**
     * A change the agent makes for its own upkeep (the lifeline), in its own namespace, with the actor
     * "system"; answers whether the kernel holds what was intended afterwards.
     */
    boolean recordSystem(String action, String ruleId, Map<String, ?> params, Supplier<List<CommandRecord>> change,
                         Supplier<Boolean> done) {
        return AgentActor.as(AgentActor.SYSTEM, () -> {
            AuditIntent intent = audit.intent(action, target(NetnsTarget.OWN, ruleId), params, null);
            List<CommandRecord> ran;
            try {
                ran = change.get();
            } catch (RuntimeException failure) {
                audit.outcome(intent, AuditResult.FAILED, null, null, List.of(), failure.getMessage());
                throw failure;
            }
            boolean ok = done.get();
            audit.outcome(intent, ok ? AuditResult.APPLIED : AuditResult.FAILED, null, Map.of("inForce", ok),
                    commands(ran), ok ? null : "the kernel does not hold what was intended");
            return ok;
        });
    }

    static String target(NetnsTarget netns, String ruleId) {
        return "netns:" + netns.name().orElse("(own)") + "/notrack/" + ruleId;
    }

    private static List<AuditCommand> commands(List<CommandRecord> records) {
        return records.stream().map(r -> new AuditCommand(r.argv(), r.exitCode(), r.durationMillis())).toList();
    }
}
