package io.ctagent.monitor;

/** What happened. */
public enum EventType {
    /** "nf_conntrack: table full, dropping packet" (with "in netns N" on recent kernels). */
    TABLE_FULL,
    /** "nf_conntrack: expectation table full". */
    EXPECTATION_TABLE_FULL,
    /** A kernel message about the conntrack hash table (resize, allocation). */
    CONNTRACK_HASH,
    /** The kernel log could not be read; table-full incidents will not be seen. */
    KERNEL_LOG_UNAVAILABLE,
    /** An owned NOTRACK rule was missing from the kernel and was re-created. */
    NOTRACK_DRIFT,
    /** The agent's lifeline (NOTRACK of its own API traffic) was installed, removed or refused. */
    LIFELINE,
    /** Unattended remediation raised nf_conntrack_max, or could not (at its ceiling, read-only). */
    REMEDIATION
}
