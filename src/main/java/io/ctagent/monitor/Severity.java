package io.ctagent.monitor;

/** How urgent an event or finding is. */
public enum Severity {
    INFO, WARNING, CRITICAL
}
