package io.ctagent.sysctl;

import java.util.Optional;

/**
 * Earlier changes by audit id, for rollback. The audit log (issue 3) implements it; until it is
 * wired in, {@link NoChangeHistory} knows no change.
 */
public interface ChangeHistory {

    /** The recorded change with this audit id, if it was a sysctl or hashsize change. */
    Optional<RecordedChange> find(String auditId);
}
