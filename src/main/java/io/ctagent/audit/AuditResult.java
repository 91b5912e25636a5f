package io.ctagent.audit;

/** How an audited attempt ended. An intent record has no result yet (null). */
public enum AuditResult {
    /** The host changed as asked. */
    APPLIED,
    /** The change ran but the value read back is the one before: nothing changed. */
    UNCHANGED,
    /** Validated and answered with what would be done; the host was not touched. */
    DRY_RUN,
    /**
     * The host refused or a command failed, or the agent refused the change before touching the host
     * (a guard, a stale ETag, a read-only key, a broken audit chain...); {@code reason} says why.
     */
    FAILED,
    /** The caller was not allowed (no key, wrong key, or a role too low). */
    DENIED,
    /** The input did not parse or was out of range; nothing was attempted. */
    INVALID
}
