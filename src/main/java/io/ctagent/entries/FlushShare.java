package io.ctagent.entries;

import java.util.Optional;

/**
 * What a filtered delete would remove, judged on one pass over the table: {@code matched} of the
 * {@code total} entries that pass saw. Entries created after the pass do not change the verdict.
 */
public record FlushShare(long matched, long total) {

    /** matched / total; 0 for an empty table. */
    public double share() {
        return total == 0 ? 0 : (double) matched / total;
    }

    /** The share as a percentage with one decimal, for messages: 62.3. */
    public double percent() {
        return Math.round(share() * 1000) / 10.0;
    }

    /**
     * Why this delete needs what a whole-table flush needs, or empty when it does not: more than
     * {@code confirmShare} of the table (exactly that share does not count), or more than
     * {@code confirmCount} entries when that is set.
     */
    public Optional<String> needsConfirmation(double confirmShare, Long confirmCount) {
        if (matched > 0 && share() > confirmShare) {
            return Optional.of("it would remove " + matched + " of " + total + " entries (" + percent() + " %), more "
                    + "than the " + Math.round(confirmShare * 1000) / 10.0 + " % that ctagent.entries.flush.confirm-share "
                    + "allows without confirmation");
        }
        if (confirmCount != null && matched > confirmCount) {
            return Optional.of("it would remove " + matched + " entries, more than the " + confirmCount
                    + " that ctagent.entries.flush.confirm-count allows without confirmation");
        }
        return Optional.empty();
    }
}
