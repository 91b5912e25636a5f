package io.ctagent.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import io.ctagent.problem.InvalidInput;
import tools.jackson.core.JacksonException;

/**
 * Finds records oldest to newest, keeping only the last {@code limit} matches before the cursor:
 * one pass, memory bounded by the page size, and a cursor (a record id) that survives rotation.
 */
final class AuditSearch {

    private AuditSearch() {
    }

    static AuditPage search(AuditSnapshot snapshot, AuditQuery query) {
        return search(List.of(snapshot), query);
    }

    /**
     * Searches several logs (the change history and the denied requests) as one, their records merged
     * by time; a cursor is a record id of any of them.
     */
    static AuditPage search(List<AuditSnapshot> logs, AuditQuery query) {
        ArrayDeque<AuditRecord> page = new ArrayDeque<>(query.limit() + 1);
        boolean older = false;
        boolean cursorFound = query.cursor() == null;
        List<Records> readers = new ArrayList<>();
        try {
            for (AuditSnapshot log : logs) {
                readers.add(new Records(log));
            }
            for (AuditRecord record = next(readers); record != null; record = next(readers)) {
                if (query.cursor() != null && query.cursor().equals(record.id())) {
                    cursorFound = true;
                    break;
                }
                if (query.matches(record)) {
                    page.addLast(record);
                    if (page.size() > query.limit()) {
                        page.removeFirst();
                        older = true;
                    }
                }
            }
        } finally {
            readers.forEach(Records::close);
        }
        if (!cursorFound) {
            throw new InvalidInput("cursor", "no audit record has the id '" + query.cursor()
                    + "'; it may have been rotated away. Start again without a cursor.");
        }
        List<AuditRecord> newestFirst = new ArrayList<>(page);
        Collections.reverse(newestFirst);
        String next = older && !newestFirst.isEmpty() ? newestFirst.get(newestFirst.size() - 1).id() : null;
        return new AuditPage(newestFirst, next);
    }

    /** The oldest of the records the readers hold next; null when all are done. */
    private static AuditRecord next(List<Records> readers) {
        Records oldest = null;
        for (Records reader : readers) {
            if (reader.peek() != null && (oldest == null || reader.peekTime().isBefore(oldest.peekTime()))) {
                oldest = reader;
            }
        }
        return oldest == null ? null : oldest.take();
    }

    /** One log's readable records, oldest first, one at a time. */
    private static final class Records {

        private final Iterator<AuditSnapshot.Segment> segments;
        private BufferedReader lines;
        private String segmentName;
        private AuditRecord next;
        private Instant nextTime;

        Records(AuditSnapshot log) {
            this.segments = log.segments().iterator();
            advance();
        }

        AuditRecord peek() {
            return next;
        }

        Instant peekTime() {
            return nextTime;
        }

        AuditRecord take() {
            AuditRecord taken = next;
            advance();
            return taken;
        }

        private void advance() {
            next = null;
            try {
                while (next == null) {
                    if (lines == null) {
                        if (!segments.hasNext()) {
                            return;
                        }
                        AuditSnapshot.Segment segment = segments.next();
                        segmentName = segment.name();
                        lines = segment.reader();
                    }
                    String line = lines.readLine();
                    if (line == null) {
                        close();
                        continue;
                    }
                    try {
                        next = AuditChain.JSON.readValue(line, AuditRecord.class);
                        nextTime = timeOf(next);
                    } catch (JacksonException damaged) {
                        next = null; // verify reports it; a search shows what it can read
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the audit file " + segmentName, e);
            }
        }

        private static Instant timeOf(AuditRecord record) {
            try {
                return Instant.parse(record.time());
            } catch (RuntimeException unreadable) {
                return Instant.MIN; // sorts first; a damaged time does not hide the record
            }
        }

        void close() {
            if (lines != null) {
                try {
                    lines.close();
                } catch (IOException ignored) {
                    // a reader of a snapshot holds nothing the snapshot does not close
                }
                lines = null;
            }
        }
    }
}
