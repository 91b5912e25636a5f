package io.ctagent.usage;

/** How close the table is to full, by the configured percents. */
public enum UsageLevel {
    OK, WARN, CRITICAL;

    public static UsageLevel of(double usagePercent, UsageProperties properties) {
        if (usagePercent >= properties.criticalPercent()) {
            return CRITICAL;
        }
        return usagePercent >= properties.warnPercent() ? WARN : OK;
    }
}
