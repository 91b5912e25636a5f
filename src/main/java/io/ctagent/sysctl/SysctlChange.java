package io.ctagent.sysctl;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Map;

/**
 * What a mutation did or would do.
 *
 * @param result APPLIED, UNCHANGED, DRY_RUN or FAILED
 * @param action what was asked: sysctl.set, sysctl.batch, sysctl.rollback or hashsize.set
 * @param netns the namespace, or null for the agent's own
 * @param before the running values before, by key
 * @param after the running values after (planned values in a dry run)
 * @param applied whether anything on the host changed (and stayed changed)
 * @param dryRun whether this was only planned
 * @param persist whether the change was asked to survive a reboot
 * @param commands the argument lists run, or planned in a dry run; ["write", path, ...] and
 *                 ["rename", from, to] are writes the agent did itself in direct mode
 * @param files the files written (or planned) with their whole new content
 * @param warnings guards overridden with force, rounding, boot-time overrides, failed restores
 * @param auditId the id of this change's outcome record in the audit log (GET /api/v1/audit); pass it
 *                to POST /api/v1/sysctls/rollback to undo an APPLIED sysctl change
 */
public record SysctlChange(ChangeResult result, String action, @Nullable String netns, Map<String, Long> before,
                           Map<String, Long> after, boolean applied, boolean dryRun, boolean persist,
                           List<List<String>> commands, List<PlannedFile> files, List<String> warnings,
                           @Nullable String auditId) {

    /** The same answer, marked as the dry run the caller asked for (when nothing would change). */
    public SysctlChange asDryRun() {
        return new SysctlChange(result, action, netns, before, after, false, true, persist, commands, files, warnings,
                auditId);
    }
}
