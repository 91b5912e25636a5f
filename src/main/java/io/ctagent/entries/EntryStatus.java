package io.ctagent.entries;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import io.ctagent.problem.InvalidInput;

/** Status bits a filter can ask for; the table shows them as [UNREPLIED] and [ASSURED]. */
public enum EntryStatus {
    /** A reply was seen (the table shows no [UNREPLIED]). */
    SEEN_REPLY,
    /** No reply seen yet: [UNREPLIED]. */
    UNREPLIED,
    /** Traffic in both directions long enough that early drop spares it: [ASSURED]. */
    ASSURED;

    static EntryStatus parse(String field, String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInput(field, field + " must be a comma-separated list of " + Arrays.stream(values())
                    .map(Enum::name).collect(Collectors.joining(", ")) + ", not '" + value + "'");
        }
    }

    boolean holds(EntryLine entry) {
        return switch (this) {
            case SEEN_REPLY -> entry.seenReply();
            case UNREPLIED -> entry.unreplied;
            case ASSURED -> entry.assured;
        };
    }
}
