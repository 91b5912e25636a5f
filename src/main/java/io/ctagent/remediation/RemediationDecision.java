package io.ctagent.remediation;

import java.time.Duration;
import java.time.Instant;

/**
 * What remediation does about one table-full signal: a pure function of the numbers, so its limits
 * (never lower, never above the ceiling, one change per cooldown, hands off a read-only max) are
 * tested without a kernel.
 *
 * @param action what to do
 * @param from max now
 * @param to max to set (equal to {@code from} unless RAISE)
 * @param why the rule that decided, in the operator's words
 */
record RemediationDecision(Action action, long from, long to, String why) {

    enum Action {
        /** Set max to {@code to}. */
        RAISE,
        /** Changed less than a cooldown ago: wait. */
        COOLDOWN,
        /** Max is at (or above) the ceiling: nothing to raise; a critical finding. */
        AT_CEILING,
        /** Max cannot be set from here (a non-initial namespace, no privilege): a critical finding. */
        READ_ONLY
    }

    static RemediationDecision decide(long currentMax, long ceiling, boolean writable, String notWritableBecause,
                                      double stepFactor, Instant lastChange, Duration cooldown, Instant now) {
        if (!writable) {
            return new RemediationDecision(Action.READ_ONLY, currentMax, currentMax,
                    "nf_conntrack_max is read-only here: " + notWritableBecause);
        }
        long stepped = (long) Math.min((double) Long.MAX_VALUE, Math.floor(currentMax * stepFactor));
        long target = Math.min(stepped, ceiling);
        if (target <= currentMax) {
            return new RemediationDecision(Action.AT_CEILING, currentMax, currentMax,
                    "nf_conntrack_max " + currentMax + " is at or above the ceiling " + ceiling);
        }
        if (lastChange != null && now.isBefore(lastChange.plus(cooldown))) {
            return new RemediationDecision(Action.COOLDOWN, currentMax, currentMax,
                    "the last change was at " + lastChange + ", within the cooldown of " + cooldown.toSeconds() + " s");
        }
        return new RemediationDecision(Action.RAISE, currentMax, target, "nf_conntrack_max " + currentMax + " x "
                + stepFactor + (stepped > ceiling ? ", capped at the ceiling " + ceiling : "") + " = " + target);
    }
}
