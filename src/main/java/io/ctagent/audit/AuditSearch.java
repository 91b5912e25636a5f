package io.ctagent.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
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
        ArrayDeque<AuditRecord> page = new ArrayDeque<>(query.limit() + 1);
        boolean older = false;
        boolean cursorFound = query.cursor() == null;
        scan:
        for (AuditSnapshot.Segment segment : snapshot.segments()) {
            try (BufferedReader lines = segment.reader()) {
                String line;
                while ((line = lines.readLine()) != null) {
                    AuditRecord record;
                    try {
                        record = AuditChain.JSON.readValue(line, AuditRecord.class);
                    } catch (JacksonException damaged) {
                        continue; // verify reports it; a search shows what it can read
                    }
                    if (query.cursor() != null && query.cursor().equals(record.id())) {
                        cursorFound = true;
                        break scan;
                    }
                    if (query.matches(record)) {
                        page.addLast(record);
                        if (page.size() > query.limit()) {
                            page.removeFirst();
                            older = true;
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the audit file " + segment.name(), e);
            }
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
}
