package io.ctagent.sysctl;

import java.util.Optional;

/** Earlier changes by audit id, for rollback; {@link AuditChangeHistory} reads them from the audit log. */
public interface ChangeHistory {

    /**
     * The recorded sysctl change with this audit id.
     *
     * @return empty when no record has the id (404)
     * @throws io.ctagent.problem.OperatorProblem 409 when the record is not a sysctl change that was
     *         applied (another action, a dry run, an unchanged or failed change), or when the audit's
     *         hash chain is broken at or before it (audit-chain-broken)
     */
    Optional<RecordedChange> find(String auditId);
}
