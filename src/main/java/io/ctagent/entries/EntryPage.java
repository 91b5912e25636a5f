package io.ctagent.entries;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Map;

/**
 * One page of matching entries.
 *
 * @param netns the namespace read, null for the agent's own
 * @param source procfs or conntrack
 * @param filter the filter applied, in canonical form
 * @param limit the page size asked for
 * @param entries up to limit matching entries, in the kernel's order
 * @param nextCursor pass as cursor to get the next page; null on the last page
 * @param warnings for example: the table changed since the previous page
 */
public record EntryPage(@Nullable String netns, String source, Map<String, String> filter, int limit,
                        List<ConntrackEntry> entries, @Nullable String nextCursor, List<String> warnings) {
}
