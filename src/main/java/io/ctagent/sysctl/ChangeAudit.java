package io.ctagent.sysctl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.ctagent.audit.AuditCommand;
import io.ctagent.audit.AuditIntent;
import io.ctagent.audit.AuditLog;
import io.ctagent.audit.AuditResult;
import io.ctagent.hostagent.HostWrite;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.sysctl.SysctlConf.Assignment;
import io.ctagent.problem.OperatorProblem;

/**
 * The audit records of sysctl and hashsize changes. A change validates its input and checks its
 * preconditions, then writes the <b>intent</b> before it touches the host (no record, no change: the
 * audit log answers 503), and one <b>outcome</b> when it is done: APPLIED, UNCHANGED, DRY_RUN or
 * FAILED, with the state before and after and every step run or planned. The outcome's id is the
 * {@code auditId} of the response, and what {@code POST /api/v1/sysctls/rollback} takes. A change
 * runs inside {@link #attempt}, so that a refusal before its intent is recorded too.
 * Callers hold the {@link io.ctagent.hostagent.MutationLock} for the intent and outcome.
 */
@Component
public class ChangeAudit {

    private static final Logger log = LoggerFactory.getLogger(ChangeAudit.class);

    private final AuditLog audit;

    public ChangeAudit(AuditLog audit) {
        this.audit = audit;
    }

    /**
     * What a change starts from or ends in, as the audit records it in {@code before} and {@code after}.
     * Rollback reads it back from the outcome record.
     *
     * @param netns the namespace, or null for the agent's own
     * @param values the running values by key
     * @param dropIn for a change that persists: each key's value in the managed drop-in, null when the
     *               drop-in does not set it; null altogether when the change does not persist
     */
    public record State(String netns, Map<String, Long> values, Map<String, Long> dropIn) {

        public static State of(NetnsTarget netns, Map<SysctlKey, Long> values, Map<String, Long> dropIn) {
            return new State(netns.name().orElse(null), byName(values), dropIn);
        }
    }

    /**
     * Runs a change so that a refusal before its intent (an unknown or read-only key, a stale ETag, a
     * guard, a refused rollback...) leaves one FAILED record; see {@link AuditLog#attempt}.
     *
     * @param target the target as far as the request names it, see {@link #target}
     */
    public <T> T attempt(String action, String target, Map<String, ?> params, Supplier<T> change) {
        return audit.attempt(action, target, params, change);
    }

    /**
     * Writes the intent record.
     *
     * @throws OperatorProblem 503 when it cannot be written: the caller must not touch the host
     */
    public Pending intent(String action, NetnsTarget netns, Collection<SysctlKey> keys, Map<String, ?> params,
                          State before) {
        return new Pending(audit.intent(action, target(netns, keys), params, before), before);
    }

    /** An audit target: the keys, prefixed with {@code netns:NAME/} for a named namespace. */
    public static String target(NetnsTarget netns, Collection<SysctlKey> keys) {
        String names = String.join(",", keys.stream().map(SysctlKey::name).toList());
        return netns.name().map(name -> "netns:" + name + "/" + names).orElse(names);
    }

    /** Each key's value in a managed drop-in's content (null when it does not set the key). */
    public static Map<String, Long> dropIn(String content, Collection<SysctlKey> keys) {
        List<Assignment> assignments = SysctlConf.parse(content);
        Map<String, Long> values = new LinkedHashMap<>();
        for (SysctlKey key : keys) {
            Assignment last = SysctlConf.lastFor(assignments, key);
            values.put(key.name(), last == null ? null : number(last.value()));
        }
        return values;
    }

    /** The steps of a host write as the audit records them: argv, exit code, duration. */
    public static List<AuditCommand> steps(HostWrite write) {
        if (!write.results().isEmpty()) {
            return write.results().stream().map(AuditCommand::of).toList();
        }
        // A write that reported no steps: its commands, each with the write's own result.
        return write.commands().stream()
                .map(argv -> new AuditCommand(argv, write.succeeded() ? 0 : 1, write.durationMillis()))
                .toList();
    }

    /** Argument lists a dry run would run. */
    public static List<AuditCommand> planned(List<List<String>> commands) {
        return commands.stream().map(AuditCommand::planned).toList();
    }

    static Map<String, Long> byName(Map<SysctlKey, Long> values) {
        Map<String, Long> named = new LinkedHashMap<>();
        values.forEach((key, value) -> named.put(key.name(), value));
        return named;
    }

    private static Long number(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A change whose intent is written; it must end with exactly one outcome. */
    public final class Pending {

        private final AuditIntent intent;
        private final State before;
        private boolean ended;

        private Pending(AuditIntent intent, State before) {
            this.intent = intent;
            this.before = before;
        }

        /**
         * Writes the outcome. The host may have changed by now, so a failure to write it is not an
         * error of the request: it becomes a warning and the intent's id is returned instead.
         *
         * @param reason why it failed, or null
         * @param warnings the response's warnings, where that warning goes
         * @return the auditId for the response: the outcome record's id
         */
        public String outcome(ChangeResult result, State after, List<AuditCommand> commands, String reason,
                              List<String> warnings) {
            ended = true;
            try {
                return audit.outcome(intent, AuditResult.valueOf(result.name()), before, after, commands, reason);
            } catch (OperatorProblem unwritable) {
                log.error("outcome {} of audit intent {} ({}) could not be written", result, intent.id(),
                        intent.action());
                warnings.add("The change ended " + result + " but its outcome could not be written to the audit "
                        + "log; the intent record " + intent.id() + " is there. Check the audit directory "
                        + "(ctagent.audit.path).");
                return intent.id();
            }
        }

        /** For an exception the change did not record itself: FAILED with its message; rethrow it after. */
        public void failedUnexpectedly(RuntimeException failure, State after, List<AuditCommand> commands) {
            if (ended) {
                return;
            }
            String reason = failure instanceof OperatorProblem problem && problem.getBody().getDetail() != null
                    ? problem.getBody().getDetail()
                    : failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
            outcome(ChangeResult.FAILED, after, commands, reason, new ArrayList<>());
        }
    }
}
