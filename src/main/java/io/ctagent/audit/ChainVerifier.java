package io.ctagent.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Walks the chain oldest to newest and stops at the first record that does not hold: edited
 * content (hash mismatch), a removed, inserted or moved record (prevHash mismatch), missing
 * records at the start, or missing records at the end (the newest record on disk is not the
 * last one this agent wrote).
 */
final class ChainVerifier {

    private ChainVerifier() {
    }

    static VerifyReport verify(AuditSnapshot snapshot) {
        return walk(snapshot, null, null);
    }

    /**
     * Checks one record as the full walk would: every record from the start up to it, and the link
     * that vouches for it (the next record's prevHash or, for the newest, the last hash the agent
     * wrote), since an edited record with a recomputed hash breaks only that link. Records further
     * on are not read.
     *
     * @param hash the hash of the copy the caller read: a line changed since then does not pass
     * @return ok when the record holds; else the first broken record, as GET /api/v1/audit/verify
     *         would name it (or the record itself when the walk does not find it: rotated away)
     */
    static VerifyReport verifyThrough(AuditSnapshot snapshot, String id, String hash) {
        return walk(snapshot, id, hash);
    }

    /** The full walk, or with {@code stopId} up to the record after that one. */
    private static VerifyReport walk(AuditSnapshot snapshot, String stopId, String stopHash) {
        String previous = null;
        String lastId = null;
        long records = 0;
        Retention removed = new Retention();
        boolean reached = false;
        // Only once rotation has deleted files may the oldest file start after the genesis record.
        boolean mustStartAtGenesis = snapshot.segments().size() < snapshot.maxFiles();
        for (AuditSnapshot.Segment segment : snapshot.segments()) {
            long lineNumber = 0;
            try (BufferedReader lines = segment.reader()) {
                String line;
                while ((line = lines.readLine()) != null) {
                    lineNumber++;
                    ObjectNode record;
                    try {
                        JsonNode parsed = AuditChain.JSON.readTree(line);
                        if (!(parsed instanceof ObjectNode object)) {
                            return broken(records, snapshot, null, segment, lineNumber, "the line is not a JSON object");
                        }
                        record = object;
                    } catch (JacksonException e) {
                        return broken(records, snapshot, null, segment, lineNumber, "the line is not valid JSON");
                    }
                    String id = text(record, "id");
                    String hash = text(record, "hash");
                    String prevHash = text(record, "prevHash");
                    if (hash == null || !hash.equals(AuditChain.hash(record))) {
                        return broken(records, snapshot, id, segment, lineNumber,
                                "its content does not match its hash: the record was edited");
                    }
                    if (previous == null && mustStartAtGenesis && !AuditChain.GENESIS.equals(prevHash)) {
                        return broken(records, snapshot, id, segment, lineNumber,
                                "the first record does not start the chain: records before it were removed");
                    }
                    if (previous != null && !previous.equals(prevHash)) {
                        return broken(records, snapshot, id, segment, lineNumber,
                                "its prevHash is not the hash of the record before it: a record was removed, "
                                        + "inserted or moved just before this one");
                    }
                    previous = hash;
                    lastId = id;
                    records++;
                    removed.add(record);
                    if (reached) {
                        return new VerifyReport(true, records, snapshot.segments().size(), null);
                    }
                    if (stopId != null && stopId.equals(id)) {
                        if (!hash.equals(stopHash)) {
                            return broken(records - 1, snapshot, id, segment, lineNumber,
                                    "it is not the record that was read: it changed while being checked");
                        }
                        reached = true;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the audit file " + segment.name(), e);
            }
        }
        if (stopId != null && !reached) {
            return new VerifyReport(false, records, snapshot.segments().size(), new VerifyReport.Broken(stopId, null,
                    null, "the chain holds but does not reach this record: it was rotated away or changed"));
        }
        boolean emptyAsWritten = previous == null && AuditChain.GENESIS.equals(snapshot.lastHash());
        if (!emptyAsWritten && !snapshot.lastHash().equals(previous)) {
            return new VerifyReport(false, records, snapshot.segments().size(), new VerifyReport.Broken(lastId,
                    lastName(snapshot), null,
                    "the newest record on disk is not the last one the agent wrote: records were removed from the end"));
        }
        return new VerifyReport(true, records, snapshot.segments().size(), null, removed.report(), null);
    }

    /** Adds up the retention records: what rotation deleted from the log of denied requests. */
    private static final class Retention {
        private long records;
        private String firstId;
        private String lastId;

        void add(ObjectNode record) {
            if (!AuditRecord.RETENTION.equals(text(record, "phase"))) {
                return;
            }
            JsonNode params = record.get("params");
            if (params == null || !params.isObject()) {
                return;
            }
            JsonNode count = params.get("records");
            records += count != null && count.canConvertToLong() ? count.asLong() : 0;
            if (firstId == null) {
                firstId = text(params, "firstId");
            }
            String last = text(params, "lastId");
            if (last != null) {
                lastId = last;
            }
        }

        VerifyReport.RotatedAway report() {
            return records == 0 ? null : new VerifyReport.RotatedAway(records, firstId, lastId);
        }
    }

    private static VerifyReport broken(long records, AuditSnapshot snapshot, String id, AuditSnapshot.Segment segment,
                                       long line, String reason) {
        return new VerifyReport(false, records, snapshot.segments().size(),
                new VerifyReport.Broken(id, segment.name(), line, reason));
    }

    private static String lastName(AuditSnapshot snapshot) {
        return snapshot.segments().isEmpty() ? null
                : snapshot.segments().get(snapshot.segments().size() - 1).name();
    }

    private static String text(JsonNode record, String field) {
        JsonNode value = record.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
    }
}
