package io.ctagent.entries;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import io.ctagent.problem.InvalidInput;

/** What a summary can count entries by; all fields of the original direction. */
public enum GroupBy {
    PROTOCOL, STATE, SRC, DST, DPORT, SPORT, ZONE, MARK;

    String field() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** "protocol,state": one or more dimensions, each at most once, in the order given. */
    static List<GroupBy> parseList(String field, String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInput(field, field + " needs one or more of " + names());
        }
        List<GroupBy> dimensions = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            GroupBy dimension;
            try {
                dimension = valueOf(part.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInput(field, field + " must be a comma-separated list of " + names() + ", not '"
                        + part + "'");
            }
            if (dimensions.contains(dimension)) {
                throw new InvalidInput(field, field + " names " + dimension.field() + " twice");
            }
            dimensions.add(dimension);
        }
        return List.copyOf(dimensions);
    }

    private static String names() {
        return Arrays.stream(values()).map(GroupBy::field).collect(Collectors.joining(", "));
    }
}
