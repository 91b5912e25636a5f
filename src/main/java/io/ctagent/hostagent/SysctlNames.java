package io.ctagent.hostagent;

import java.util.regex.Pattern;

/**
 * Sysctl names as they reach the host layer. Callers parse client input against their own
 * allow-list first; this check is the second fence before a name becomes a path or an argument.
 */
final class SysctlNames {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z0-9_]+){1,8}");

    private SysctlNames() {
    }

    /** The file under the proc root, e.g. sys/net/netfilter/nf_conntrack_max. */
    static String procPath(String name) {
        if (name == null || name.length() > 128 || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a sysctl name: " + name);
        }
        return "sys/" + name.replace('.', '/');
    }
}
