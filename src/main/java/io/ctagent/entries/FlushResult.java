package io.ctagent.entries;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Map;

/**
 * What a flush did (or, on a dry run, would do).
 *
 * @param netns the namespace, null for the agent's own
 * @param all true for a whole-table flush
 * @param filter the filter, in canonical form (empty for all)
 * @param matched entries that matched: counted now on a dry run, as conntrack reported them otherwise
 * @param deleted entries deleted (0 on a dry run)
 * @param before the table before
 * @param after the table after (on a dry run: as it would be)
 * @param applied true when entries were actually deleted
 * @param dryRun true when nothing was changed on purpose (request or agent mode)
 * @param commands the argv of each command run or planned
 * @param warnings anything the operator should know, e.g. entries that match again right after
 * @param auditId the audit record of this change
 * @param durationMillis how long the whole flush took
 * @param confirmationRequired whether the real call needs the admin role and X-Confirm: flush-all: always
 *                             for the whole table, and for a filter matching more than
 *                             ctagent.entries.flush.confirm-share (or confirm-count) of the table
 */
public record FlushResult(@Nullable String netns, boolean all, @Nullable Map<String, String> filter, long matched,
                          long deleted, TableState before, TableState after, boolean applied, boolean dryRun,
                          List<List<String>> commands, List<String> warnings, @Nullable String auditId,
                          long durationMillis, boolean confirmationRequired) {

    /**
     * The table at one moment.
     *
     * @param count entries in the namespace's table (nf_conntrack_count)
     * @param matching entries matching the filter, when counted
     */
    public record TableState(long count, @Nullable Long matching) {
    }
}
