package io.ctagent.hashsize;

import java.util.List;
import java.util.regex.Pattern;

import io.ctagent.hostagent.ManagedFileLines;

/**
 * The root helper's check of the managed modprobe.d file (sudo mode, {@code conntrack-agent-root persist}):
 * comments, blank lines and {@code options nf_conntrack hashsize=N}, nothing else. An {@code install} or
 * {@code softdep} line, another module's options, or a line continued with a backslash would run or
 * change something as root when a module loads.
 */
public final class ManagedModprobeCheck {

    private static final Pattern OPTIONS = Pattern.compile(
            Pattern.quote(ModprobeOptions.LINE_PREFIX) + "hashsize=[1-9][0-9]{0,9}");
    /** modprobe.d joins a line ending in a backslash with the next, so a comment may not end in one. */
    private static final Pattern COMMENT = Pattern.compile("#[\\x20-\\x7e]*(?<!\\\\)");

    private ManagedModprobeCheck() {
    }

    /** The content unchanged when every line passes; an IllegalArgumentException naming the first line that does not. */
    public static String check(String content) {
        return ManagedFileLines.check(content, "the managed modprobe.d file", List.of(COMMENT, OPTIONS),
                "a comment or 'options nf_conntrack hashsize=<integer>'");
    }
}
