package io.ctagent.change;

import java.util.List;

import io.ctagent.audit.AuditCommand;
import io.ctagent.audit.AuditResult;

/**
 * How a change ended: what its outcome record says, and how to answer the caller once that record's
 * id is known.
 *
 * @param result APPLIED, UNCHANGED, DRY_RUN or FAILED
 * @param before the state it started from, as the outcome records it
 * @param after the state read back (or planned, in a dry run)
 * @param commands the steps run or planned, with exit codes and durations
 * @param reason why it failed, or null
 * @param warnings the response's warnings so far
 * @param answer builds the response from the auditId and the final warnings; for FAILED it may throw
 *               the problem to answer with
 */
public record Done<R>(AuditResult result, Object before, Object after, List<AuditCommand> commands, String reason,
                      List<String> warnings, Answer<R> answer) {

    public Done {
        commands = commands == null ? List.of() : List.copyOf(commands);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** The response to a change, given the id of its outcome record and every warning. */
    @FunctionalInterface
    public interface Answer<R> {
        R with(String auditId, List<String> warnings);
    }
}
