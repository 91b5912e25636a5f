package io.ctagent.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.EffectiveMode;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.MutationLock;
import io.ctagent.web.OperatorProblem;

/**
 * The one path every change to the host takes:
 * <ol>
 * <li>the caller validates its input (a bad value is a 400 {@code InvalidInput}, audited as INVALID
 *     by the web layer);</li>
 * <li>{@code apply} takes the agent's one {@link MutationLock} (the same one the sysctl and hashsize
 *     changes take), so changes never interleave (reads don't wait);</li>
 * <li>reads the state before, and writes the <b>intent</b> record; if that write fails the answer is
 *     503 and the change is never called (fail closed);</li>
 * <li>runs the change through HostAgent, or only plans it in a dry run (asked for, or host mode
 *     DRY_RUN);</li>
 * <li>reads the state back and writes the <b>outcome</b>: APPLIED, UNCHANGED (same value after),
 *     DRY_RUN, or FAILED (the exception is rethrown after it is recorded).</li>
 * </ol>
 * Example, a sysctl write:
 * <pre>{@code
 * MutationOutcome<Long> done = gate.apply(new Mutation<>("sysctl.set", key,
 *         Map.of("value", value, "persist", persist), dryRun,
 *         () -> readValue(key),
 *         (before, dry, trail) -> {
 *             if (dry) trail.planned(argv);
 *             else trail.ran(host.run(NetnsTarget.OWN, Tool.SYSCTL, args));
 *         }));
 * }</pre>
 */
@Component
public class MutationGate {

    private static final Logger log = LoggerFactory.getLogger(MutationGate.class);

    private final AuditLog audit;
    private final HostAgent host;
    private final MutationLock lock;

    MutationGate(AuditLog audit, HostAgent host, MutationLock lock) {
        this.audit = audit;
        this.host = host;
        this.lock = lock;
    }

    /** Runs the mutation under the mutation lock; 503 when another change holds it too long. */
    public <S> MutationOutcome<S> apply(Mutation<S> mutation) {
        return lock.exclusive(() -> applyLocked(mutation));
    }

    private <S> MutationOutcome<S> applyLocked(Mutation<S> mutation) {
        boolean dryRun = mutation.dryRun() || host.mode() == EffectiveMode.DRY_RUN;
        S before = mutation.read().get();
        AuditIntent intent = audit.intent(mutation.action(), mutation.target(), mutation.params(), before);
        CommandTrail trail = new CommandTrail();
        try {
            mutation.change().apply(before, dryRun, trail);
        } catch (RuntimeException failure) {
            S after = readQuietly(mutation);
            recordOutcome(intent, AuditResult.FAILED, before, after, trail, reason(failure));
            throw failure;
        }
        S after = dryRun ? before : mutation.read().get();
        AuditResult result = dryRun ? AuditResult.DRY_RUN
                : Objects.equals(before, after) ? AuditResult.UNCHANGED : AuditResult.APPLIED;
        List<String> warnings = new ArrayList<>(trail.warnings());
        String unrecorded = recordOutcome(intent, result, before, after, trail, null);
        if (unrecorded != null) {
            warnings.add(unrecorded);
        }
        return new MutationOutcome<>(before, after, result == AuditResult.APPLIED, dryRun, result,
                trail.commands(), warnings, intent.id());
    }

    /** The change happened; a failed outcome record must not hide that, so it becomes a warning. */
    private String recordOutcome(AuditIntent intent, AuditResult result, Object before, Object after,
                                 CommandTrail trail, String reason) {
        try {
            audit.outcome(intent, result, before, after, trail.commands(), reason);
            return null;
        } catch (OperatorProblem unwritable) {
            log.error("outcome of audit intent {} ({}) could not be written", intent.id(), result);
            return "The change ended " + result + " but its outcome could not be written to the audit log; "
                    + "the intent record " + intent.id() + " is there. Check the audit directory.";
        }
    }

    private static <S> S readQuietly(Mutation<S> mutation) {
        try {
            return mutation.read().get();
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private static String reason(RuntimeException failure) {
        if (failure instanceof OperatorProblem problem && problem.getBody().getDetail() != null) {
            return problem.getBody().getDetail();
        }
        return failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
    }
}
