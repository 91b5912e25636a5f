package io.ctagent.change;

import java.util.regex.Pattern;

/**
 * Who a change is made for, as its audit records name it: the caller of the request being served
 * (an API key's name, a JWT subject), or the agent itself ({@code system}: the NOTRACK lifeline,
 * reconcile) or one of its policies ({@code policy:remediation}: unattended remediation).
 */
public final class Actor {

    private static final Pattern POLICY = Pattern.compile("[a-z][a-z0-9-]{0,39}");
    private static final Actor CALLER = new Actor(null);
    private static final Actor SYSTEM = new Actor("system");

    private final String name;

    private Actor(String name) {
        this.name = name;
    }

    /** The caller of the request being served; the audit takes the name from its credential. */
    public static Actor caller() {
        return CALLER;
    }

    /** The agent keeping its own state (the NOTRACK lifeline, reconcile). */
    public static Actor system() {
        return SYSTEM;
    }

    /** A change the agent makes by itself under a named policy, e.g. {@code policy("remediation")}. */
    public static Actor policy(String policy) {
        if (policy == null || !POLICY.matcher(policy).matches()) {
            throw new IllegalArgumentException("a policy name is lower-case letters, digits and '-': " + policy);
        }
        return new Actor("policy:" + policy);
    }

    /** The name the audit records, or null for the request's caller (named by the audit itself). */
    String recordedName() {
        return name;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Actor actor && java.util.Objects.equals(name, actor.name);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(name);
    }

    @Override
    public String toString() {
        return name == null ? "caller" : name;
    }
}
