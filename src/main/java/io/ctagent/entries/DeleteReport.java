package io.ctagent.entries;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads how many entries `conntrack -D` deleted from its summary on stderr:
 * "conntrack v1.4.7 (conntrack-tools): 12 flow entries have been deleted." It exits 1 when that is 0.
 */
final class DeleteReport {

    private static final Pattern DELETED = Pattern.compile("(\\d+) flow entries have been deleted");

    private DeleteReport() {
    }

    static OptionalLong deleted(String stderr) {
        Matcher matcher = DELETED.matcher(stderr);
        return matcher.find() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }

    /** conntrack -D succeeded: exit 0, or exit 1 with nothing to delete. */
    static boolean succeeded(int exitCode, boolean timedOut, OptionalLong deleted) {
        return !timedOut && (exitCode == 0 || exitCode == 1 && deleted.isPresent() && deleted.getAsLong() == 0);
    }
}
