package io.ctagent.sysctl;

/** The outcome of a mutation, as the response and the audit record state it. */
public enum ChangeResult {
    /** The host was changed and read back as asked. */
    APPLIED,
    /** The host already had the asked values; nothing was written. */
    UNCHANGED,
    /** Only planned: the commands and file contents are in the response. */
    DRY_RUN,
    /** A write failed or read back wrong; what had been applied was restored. */
    FAILED,
    /** The input did not parse; nothing was attempted (recorded by the audit log). */
    INVALID
}
