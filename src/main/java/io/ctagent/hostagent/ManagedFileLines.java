package io.ctagent.hostagent;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The line-by-line check the root helper applies to a managed file before it writes it as root: every line is
 * empty or matches one of the allowed patterns; the size is bounded. The patterns are each feature's.
 */
public final class ManagedFileLines {

    public static final int MAX_CHARS = 64 * 1024;

    private ManagedFileLines() {
    }

    /**
     * The content unchanged when every line passes; otherwise an IllegalArgumentException naming the first
     * line that does not and saying what a line may be ({@code allowed}, in the operator's words).
     */
    public static String check(String content, String file, List<Pattern> lines, String allowed) {
        if (content.length() > MAX_CHARS) {
            throw new IllegalArgumentException(file + " is longer than " + MAX_CHARS + " characters");
        }
        String[] all = content.split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            String line = all[i];
            if (line.isEmpty() || lines.stream().anyMatch(pattern -> pattern.matcher(line).matches())) {
                continue;
            }
            String shown = line.length() > 120 ? line.substring(0, 120) + "..." : line;
            throw new IllegalArgumentException("line " + (i + 1) + " of " + file + " is not " + allowed + ": "
                    + shown.replaceAll("\\p{Cntrl}", "?") + ". Remove it from the file by hand; in sudo mode the "
                    + "agent writes nothing else there.");
        }
        return content;
    }
}
