package io.ctagent.audit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import io.ctagent.problem.InvalidInput;

/**
 * Filters for GET /api/v1/audit; every one optional. since is inclusive, until exclusive.
 *
 * @param cursor the {@code nextCursor} of the previous page: records older than it
 */
record AuditQuery(Instant since, Instant until, String actor, String action, AuditResult result, int limit,
                  String cursor) {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    static AuditQuery parse(String since, String until, String actor, String action, String result, String limit,
                            String cursor) {
        Instant from = instant("since", since);
        Instant to = instant("until", until);
        if (from != null && to != null && !from.isBefore(to)) {
            throw new InvalidInput("until", "until (" + until + ") must be after since (" + since + ")");
        }
        return new AuditQuery(from, to, blankToNull(actor), blankToNull(action), result(result), limit(limit),
                blankToNull(cursor));
    }

    boolean matches(AuditRecord record) {
        if (actor != null && !actor.equals(record.actor())
                || action != null && !action.equals(record.action())
                || result != null && result != record.result()) {
            return false;
        }
        if (since == null && until == null) {
            return true;
        }
        Instant time;
        try {
            time = Instant.parse(record.time());
        } catch (DateTimeParseException | NullPointerException e) {
            return false;
        }
        return (since == null || !time.isBefore(since)) && (until == null || time.isBefore(until));
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidInput(field, field + " must be an ISO-8601 time with an offset, e.g. "
                    + "2025-01-31T13:00:00Z; got '" + value + "'");
        }
    }

    private static AuditResult result(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return AuditResult.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInput("result", "result must be one of APPLIED, UNCHANGED, DRY_RUN, FAILED, DENIED, "
                    + "INVALID; got '" + value + "'");
        }
    }

    private static int limit(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= 1 && parsed <= MAX_LIMIT) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // same answer as out of range
        }
        throw new InvalidInput("limit", "limit must be a whole number from 1 to " + MAX_LIMIT + "; got '" + value + "'");
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
