package io.ctagent.hostagent;

import java.util.Optional;
import java.util.regex.Pattern;

import io.ctagent.problem.InvalidInput;

/**
 * Which network namespace a read or command is for: the agent's own, or a named one under
 * /run/netns. Built only from a validated name, so it is safe to put on a command line.
 */
public final class NetnsTarget {

    /** `ip netns add` accepts any file name; we accept the names people actually use. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    public static final NetnsTarget OWN = new NetnsTarget(null);

    private final String name;

    private NetnsTarget(String name) {
        this.name = name;
    }

    /** Parses the `netns` query parameter; null or blank means the agent's own namespace. */
    public static NetnsTarget parse(String name) {
        if (name == null || name.isEmpty()) {
            return OWN;
        }
        if (!NAME.matcher(name).matches() || name.contains("..")) {
            throw new InvalidInput("netns", "netns must be a namespace name under /run/netns: "
                    + "letters, digits, '_', '.', '-', at most 63 characters");
        }
        return new NetnsTarget(name);
    }

    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    public boolean isOwn() {
        return name == null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NetnsTarget that && java.util.Objects.equals(name, that.name);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(name);
    }

    @Override
    public String toString() {
        return name == null ? "(own)" : name;
    }
}
