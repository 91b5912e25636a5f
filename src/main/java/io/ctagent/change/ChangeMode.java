package io.ctagent.change;

/**
 * How a change runs, decided once by the pipeline from what the caller asked and the agent's mode.
 * A read-only agent (neither root nor sudo) has no mode: it refuses every change that is not a dry run.
 */
public enum ChangeMode {
    /** Apply it to the host. */
    APPLY,
    /** Only plan it: the caller asked for a dry run. */
    DRY_RUN,
    /** Only plan it: the agent runs in dry-run mode (ctagent.host.mode=dry-run). */
    AGENT_DRY_RUN;

    /** Whether the host is left untouched. */
    public boolean dryRun() {
        return this != APPLY;
    }
}
