package io.ctagent.change;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.ctagent.audit.AuditIntent;
import io.ctagent.audit.AuditLog;
import io.ctagent.audit.AuditResult;
import io.ctagent.hostagent.EffectiveMode;
import io.ctagent.hostagent.HostWriter;
import io.ctagent.hostagent.MutationLock;
import io.ctagent.problem.OperatorProblem;

/**
 * The one path every change to the host takes (sysctl set/patch/rollback, hashsize, flush, NOTRACK
 * create/delete/reconcile, and every later one), in this order:
 * <ol>
 * <li>take the agent's {@link MutationLock};</li>
 * <li>decide once whether it is a dry run, or refused because the agent is read-only (503
 * {@code read-only-mode});</li>
 * <li>run the change's guards ({@link Change#guard});</li>
 * <li>write the intent record: fail closed, when it cannot be written the answer is 503 and nothing
 * changes;</li>
 * <li>apply through the host agent ({@link Change#apply});</li>
 * <li>read back ({@link Change#readBack});</li>
 * <li>write the outcome record. When that fails the change has happened: the caller still gets the
 * result, with a warning, and the agent's log says which record is missing.</li>
 * </ol>
 * A refusal at any step before the intent leaves one record (FAILED, or DENIED for a 403 problem), named
 * after the change's actor.
 * Refusals before a change is described (a 400, a caller the access rules turn away, a role check
 * inside a feature) are written by {@link Refusals}.
 */
@Component
public class ChangePipeline {

    private static final Logger log = LoggerFactory.getLogger(ChangePipeline.class);

    private final AuditLog audit;
    private final MutationLock lock;
    private final HostWriter writer;

    public ChangePipeline(AuditLog audit, MutationLock lock, HostWriter writer) {
        this.audit = audit;
        this.lock = lock;
        this.writer = writer;
    }

    /** Runs a change through every step; see the class comment. */
    public <R> R run(Change<R> change) {
        return audit.attempt(change.actor().recordedName(), change.action(), change.target(), change.params(),
                () -> lock.exclusive(() -> steps(change)));
    }

    /**
     * Runs the part of a request that comes before its change is fully described (looking up a key,
     * reading the record a rollback undoes): a refusal there leaves one record too.
     */
    public <T> T refusalsRecorded(Actor actor, String action, String target, Map<String, ?> params,
                                  Supplier<T> work) {
        return audit.attempt(actor.recordedName(), action, target, params, work);
    }

    /** Step 2: what the agent's mode and the caller's wish make of the change. */
    ChangeMode decide(boolean dryRunAsked) {
        if (writer.mode() == EffectiveMode.DRY_RUN) {
            return ChangeMode.AGENT_DRY_RUN;
        }
        if (dryRunAsked) {
            return ChangeMode.DRY_RUN;
        }
        writer.requirePrivilege();
        return ChangeMode.APPLY;
    }

    private <R> R steps(Change<R> change) {
        ChangeMode mode = decide(change.dryRunAsked());
        change.guard(mode);
        // Fail closed: when the intent cannot be written this throws 503 and nothing below runs.
        AuditIntent intent = audit.intent(change.action(), change.target(), change.params(), change.before());
        Done<R> done;
        try {
            if (mode.dryRun()) {
                done = change.plan();
            } else {
                change.apply();
                done = change.readBack();
            }
        } catch (ChangeFailure failure) {
            @SuppressWarnings("unchecked")
            Done<R> failed = (Done<R>) failure.done();
            done = failed;
        } catch (RuntimeException unforeseen) {
            Done<R> failed = change.failedUnexpectedly(reason(unforeseen));
            outcome(intent, failed, new ArrayList<>());
            throw unforeseen;
        }
        List<String> warnings = new ArrayList<>(done.warnings());
        String auditId = outcome(intent, done, warnings);
        return done.answer().with(auditId, List.copyOf(warnings));
    }

    /** Step 7; a lost outcome record is a warning (the host has changed by now) and the intent's id stands in. */
    private String outcome(AuditIntent intent, Done<?> done, List<String> warnings) {
        try {
            return audit.outcome(intent, done.result(), done.before(), done.after(), done.commands(), done.reason());
        } catch (OperatorProblem unwritable) {
            // The problem's detail speaks for an intent ("nothing was changed"); here the host has changed.
            Throwable cause = unwritable.getCause() != null ? unwritable.getCause() : unwritable;
            log.error("the change is done ({}) but the outcome of audit intent {} ({} on {}) could not be written: {}",
                    done.result(), intent.id(), intent.action(), intent.target(), cause.getMessage());
            warnings.add("The change ended " + done.result() + " but its outcome could not be written to the audit "
                    + "log; the intent record " + intent.id() + " is there. Check the audit directory "
                    + "(ctagent.audit.path).");
            return intent.id();
        }
    }

    private static String reason(RuntimeException failure) {
        if (failure instanceof OperatorProblem problem && problem.getBody().getDetail() != null) {
            return problem.getBody().getDetail();
        }
        return failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
    }
}
