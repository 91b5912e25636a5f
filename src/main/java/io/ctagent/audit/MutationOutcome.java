package io.ctagent.audit;

import java.util.List;

/**
 * What a mutation did; the fields every mutation response carries.
 *
 * @param applied true when the host changed (result APPLIED)
 * @param auditId the id of the intent record; its outcome record points back to it
 */
public record MutationOutcome<S>(S before, S after, boolean applied, boolean dryRun, AuditResult result,
                                 List<AuditCommand> commands, List<String> warnings, String auditId) {
}
