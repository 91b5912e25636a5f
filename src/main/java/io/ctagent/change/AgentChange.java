package io.ctagent.change;

/**
 * A change the agent makes by itself (NOTRACK reconcile, the lifeline): recorded as {@code system}, never a
 * dry run a caller asked for, and with no caller-visible state to record as {@code before}.
 */
public interface AgentChange<R> extends Change<R> {

    @Override
    default Actor actor() {
        return Actor.system();
    }

    @Override
    default boolean dryRunAsked() {
        return false;
    }

    @Override
    default Object before() {
        return null;
    }
}
