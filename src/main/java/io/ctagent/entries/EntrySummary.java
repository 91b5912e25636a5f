package io.ctagent.entries;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * What fills the table: matching entries counted by the groupBy fields, largest groups first.
 *
 * @param netns the namespace read, null for the agent's own
 * @param source procfs or conntrack
 * @param filter the filter applied, in canonical form
 * @param groupBy the fields counted by, in order
 * @param top how many groups were asked for
 * @param total entries in the table during the pass
 * @param matched entries that matched the filter
 * @param groups the largest groups, largest first
 * @param otherMatched matching entries not in the groups shown
 * @param distinctGroups distinct groups seen (a lower bound when exact is false)
 * @param exact true when every count is exact; false when more than ctagent.entries.summary-max-groups
 *              distinct groups forced approximate counting
 * @param maxUndercount when not exact, the most any count may be short by
 * @param durationMillis how long the pass took
 * @param warnings for example: lines that could not be parsed
 */
public record EntrySummary(@Nullable String netns, String source, Map<String, String> filter, List<String> groupBy,
                           int top,
                           long total, long matched, List<Group> groups, long otherMatched, long distinctGroups,
                           boolean exact, long maxUndercount, long durationMillis, List<String> warnings) {

    /**
     * One group.
     *
     * @param key the grouped fields and their values, e.g. {"protocol": "udp", "dport": 53}; null where an
     *            entry has no such value (no port on icmp, no state on udp)
     * @param count matching entries in the group
     */
    public record Group(@Schema(description = "grouped field -> its value (a string or a number; null where "
            + "an entry has none)", additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
                        Map<String, Object> key, long count) {
    }
}
