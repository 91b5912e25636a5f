package io.ctagent.sysctl;

/**
 * What the agent knows about one conntrack sysctl: its unit, the range it accepts, where it may
 * be written and what it does.
 *
 * @param unit entries, buckets, seconds, boolean, bytes, packets, mode, protocol or integer
 * @param min the smallest value the agent writes
 * @param max the largest value the agent writes
 * @param scope per namespace, initial namespace only, or read-only
 * @param description what it does, from the kernel's nf_conntrack-sysctl documentation
 */
record SysctlSpec(String unit, long min, long max, Scope scope, String description) {

    enum Scope {
        /** Each network namespace has its own value (timeouts, flags). */
        PER_NAMESPACE,
        /** Global; the kernel makes it read-only outside the initial namespace (max, buckets). */
        INITIAL_NAMESPACE,
        /** A value the kernel reports but never accepts (the entry count). */
        READ_ONLY
    }
}
