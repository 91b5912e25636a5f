package io.ctagent.sysctl;

import java.util.regex.Pattern;

import io.ctagent.problem.InvalidInput;

/**
 * A sysctl name a client sent, checked for shape: lower-case words joined by single dots. Whether
 * the agent manages it is the catalog's question; a name with '/', '..', spaces or shell
 * characters is refused here and never reaches a path or a command.
 */
public record SysctlKey(String name) {

    private static final Pattern SHAPE = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z0-9_]+){1,7}");

    public static final SysctlKey MAX = new SysctlKey("net.netfilter.nf_conntrack_max");
    /** The same kernel variable as {@link #MAX}, registered only in the initial namespace. */
    public static final SysctlKey LEGACY_MAX = new SysctlKey("net.nf_conntrack_max");
    public static final SysctlKey BUCKETS = new SysctlKey("net.netfilter.nf_conntrack_buckets");
    public static final SysctlKey COUNT = new SysctlKey("net.netfilter.nf_conntrack_count");

    /** Parses a key from client input; 400 naming {@code field} when it is not a sysctl name. */
    public static SysctlKey parse(String field, String raw) {
        if (raw == null || raw.isEmpty()) {
            throw new InvalidInput(field, field + " is required: a sysctl name such as net.netfilter.nf_conntrack_max");
        }
        if (raw.length() > 128 || !SHAPE.matcher(raw).matches()) {
            throw new InvalidInput(field, "'" + printable(raw) + "' is not a sysctl name: lower-case letters, digits "
                    + "and '_' in words joined by single dots, such as net.netfilter.nf_conntrack_max");
        }
        return new SysctlKey(raw);
    }

    /** The kernel variable behind the name: both max names are one variable. */
    public SysctlKey variable() {
        return equals(LEGACY_MAX) ? MAX : this;
    }

    /** The last word: nf_conntrack_max. */
    public String shortName() {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Control characters shown escaped, so a problem detail stays one readable line. */
    static String printable(String raw) {
        StringBuilder out = new StringBuilder();
        raw.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return raw.length() > 80 ? out + "..." : out.toString();
    }
}
