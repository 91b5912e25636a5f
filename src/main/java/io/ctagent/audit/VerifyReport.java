package io.ctagent.audit;

import org.jspecify.annotations.Nullable;

/**
 * The result of walking the audit chain.
 *
 * @param ok true when every record holds
 * @param records how many records verified before the first broken one (all of them when ok)
 * @param files how many files were read (rotated ones included)
 * @param firstBroken the first record that does not hold, or null
 * @param rotatedAway what rotation deleted from the log of denied requests, as the change history
 *                    recorded it (null when nothing was): change records are never deleted
 * @param denied the same walk over the log of denied requests (its own chain); null when not walked
 */
public record VerifyReport(boolean ok, long records, int files, @Nullable Broken firstBroken,
                           @Nullable RotatedAway rotatedAway, @Nullable VerifyReport denied) {

    public VerifyReport(boolean ok, long records, int files, @Nullable Broken firstBroken) {
        this(ok, records, files, firstBroken, null, null);
    }

    /** This report with the denied requests' walk: ok only when both chains hold. */
    VerifyReport with(VerifyReport deniedLog) {
        return new VerifyReport(ok && deniedLog.ok(), records, files, firstBroken, rotatedAway, deniedLog);
    }

    /**
     * @param records how many records rotation deleted, all files together
     * @param firstId the id of the first of them (the oldest)
     * @param lastId the id of the last of them (the newest deleted)
     */
    public record RotatedAway(long records, @Nullable String firstId, @Nullable String lastId) {
    }

    /**
     * @param id the record's id, when its line could be read
     * @param file the file it is in
     * @param line its line number in that file (1-based), when it is a single line
     * @param reason what is wrong, in an operator's words
     */
    public record Broken(@Nullable String id, String file, @Nullable Long line, String reason) {
    }
}
