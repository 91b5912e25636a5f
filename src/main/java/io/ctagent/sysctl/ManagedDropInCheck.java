package io.ctagent.sysctl;

import java.util.List;
import java.util.regex.Pattern;

import io.ctagent.hostagent.ManagedFileLines;

/**
 * The root helper's check of the managed sysctl drop-in (sudo mode, {@code conntrack-agent-root persist}):
 * comments, blank lines and {@code key = value} lines for conntrack keys only, each value a plain
 * integer. So the file the service user may have written as root can never set kernel.core_pattern,
 * kernel.modprobe or any other key at the next boot.
 */
public final class ManagedDropInCheck {

    /** The keys the agent manages (net.netfilter.nf_conntrack_*, and the old name of max), written as SysctlConf does. */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(net\\.netfilter\\.nf_conntrack_[a-z0-9_]{1,64}|net\\.nf_conntrack_max) ?= ?[0-9]{1,10}");
    private static final Pattern COMMENT = Pattern.compile("[#;][\\x20-\\x7e]*");

    private ManagedDropInCheck() {
    }

    /** The content unchanged when every line passes; an IllegalArgumentException naming the first line that does not. */
    public static String check(String content) {
        return ManagedFileLines.check(content, "the managed sysctl drop-in", List.of(COMMENT, ASSIGNMENT),
                "a comment or 'net.netfilter.nf_conntrack_<name> = <integer>'");
    }
}
