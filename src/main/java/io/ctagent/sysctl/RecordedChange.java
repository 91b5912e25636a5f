package io.ctagent.sysctl;

import java.util.Map;

/**
 * What rollback needs from an audited change.
 *
 * @param auditId the audit record's id
 * @param netns the namespace it changed, or null for the agent's own
 * @param before the running values before the change, by key
 * @param persisted whether the change also wrote the managed drop-in
 * @param persistedBefore the values the managed drop-in had for those keys before the change; a key
 *                        of {@code before} missing here was not in the drop-in and is removed again
 */
public record RecordedChange(String auditId, String netns, Map<String, Long> before, boolean persisted,
                             Map<String, Long> persistedBefore) {
}
