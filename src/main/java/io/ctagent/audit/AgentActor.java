package io.ctagent.audit;

import java.util.function.Supplier;

/**
 * Who the agent is when it changes the host by itself, without a request: "system" for its own
 * upkeep (the lifeline), "policy:&lt;name&gt;" for a policy the operator turned on. Without one of
 * these, a change outside a request is recorded as "agent" (reconcile, start-up).
 */
public final class AgentActor {

    public static final String SYSTEM = "system";
    public static final String DEFAULT = "agent";
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private AgentActor() {
    }

    /** "policy:remediation" for the policy named remediation. */
    public static String policy(String name) {
        return "policy:" + name;
    }

    /** Runs {@code work} with audit records on this thread naming {@code actor}. */
    public static <T> T as(String actor, Supplier<T> work) {
        String outer = CURRENT.get();
        CURRENT.set(actor);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    static String current() {
        String actor = CURRENT.get();
        return actor == null ? DEFAULT : actor;
    }
}
