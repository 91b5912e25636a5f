package io.ctagent.change;

import java.util.List;
import java.util.Map;

import io.ctagent.audit.AuditResult;

/**
 * One change to the host, as a feature describes it: what it is (action, target, params, actor),
 * its guards, and its apply and read-back steps. The {@link ChangePipeline} runs it; a change never
 * writes audit records itself. One instance is one attempt, so it may keep what its guards read for
 * the steps after them.
 */
public interface Change<R> {

    /** What the audit records as action, e.g. {@code sysctl.set}, {@code conntrack.flush-all}. */
    String action();

    /** What it is aimed at, e.g. {@code netns:blue/net.netfilter.nf_conntrack_max}. */
    String target();

    /** What the caller asked for, parsed (no secrets). */
    Map<String, ?> params();

    /** Who the change is for; the request's caller unless the agent acts by itself. */
    default Actor actor() {
        return Actor.caller();
    }

    /** Whether the caller asked only for a plan. */
    boolean dryRunAsked();

    /**
     * Step 3: reads the state the change starts from, runs the guards and plans the change. A refusal
     * throws (an {@code OperatorProblem}); nothing on the host has changed then.
     */
    void guard(ChangeMode mode);

    /** The state the change starts from, as the intent records it (known once {@link #guard} ran). */
    Object before();

    /**
     * Step 5: applies the plan through the host agent. When a step fails, undo what can be undone and
     * throw a {@link ChangeFailure} describing it.
     */
    void apply();

    /** Step 6: reads the host back and says how the change ended. */
    Done<R> readBack();

    /** Instead of steps 5 and 6 in a dry run: what would be done. */
    Done<R> plan();

    /**
     * After a failure nobody foresaw in step 5 or 6: undo what can be undone and say what the host looks
     * like now and which steps ran, for the FAILED outcome. The pipeline rethrows the failure after.
     *
     * @param reason what failed, for the outcome's reason
     */
    default Done<R> failedUnexpectedly(String reason) {
        return new Done<>(AuditResult.FAILED, before(), null, List.of(), reason, List.of(), null);
    }
}
