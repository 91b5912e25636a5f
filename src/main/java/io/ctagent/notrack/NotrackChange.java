package io.ctagent.notrack;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * The answer to a change of NOTRACK rules.
 *
 * @param before the rule before the change (null when adding)
 * @param after the rule after the change, read back from the kernel (null when deleting)
 * @param applied whether the kernel and the state file were changed
 * @param dryRun whether this was only planned (asked for, or the agent runs in dry-run mode)
 * @param commands the commands run, or that would run, in order
 * @param warnings what the operator should know: traffic that loses NAT or stateful filtering
 * @param auditId the audit record of this change (the outcome record's id)
 */
public record NotrackChange(@Nullable RuleStatus before, @Nullable RuleStatus after, boolean applied, boolean dryRun,
                            List<CommandRecord> commands, List<String> warnings, @Nullable String auditId) {
}
