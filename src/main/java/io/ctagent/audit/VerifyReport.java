package io.ctagent.audit;

import org.jspecify.annotations.Nullable;

/**
 * The result of walking the audit chain.
 *
 * @param ok true when every record holds
 * @param records how many records verified before the first broken one (all of them when ok)
 * @param files how many files were read (rotated ones included)
 * @param firstBroken the first record that does not hold, or null
 */
public record VerifyReport(boolean ok, long records, int files, @Nullable Broken firstBroken) {

    /**
     * @param id the record's id, when its line could be read
     * @param file the file it is in
     * @param line its line number in that file (1-based), when it is a single line
     * @param reason what is wrong, in an operator's words
     */
    public record Broken(@Nullable String id, String file, @Nullable Long line, String reason) {
    }
}
