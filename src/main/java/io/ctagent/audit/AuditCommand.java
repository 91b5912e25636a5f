package io.ctagent.audit;

import org.jspecify.annotations.Nullable;

import java.util.List;

import io.ctagent.hostagent.CommandResult;

/**
 * A host command as the audit records it: never its output, which may be large.
 *
 * @param argv the argument list run (or planned, in a dry run)
 * @param exitCode its exit code; -1 when killed by the timeout; null when only planned
 * @param durationMillis how long it ran; null when only planned
 */
public record AuditCommand(List<String> argv, @Nullable Integer exitCode, @Nullable Long durationMillis) {

    public AuditCommand {
        argv = List.copyOf(argv);
    }

    public static AuditCommand of(CommandResult result) {
        return new AuditCommand(result.argv(), result.exitCode(), result.durationMillis());
    }

    public static AuditCommand planned(List<String> argv) {
        return new AuditCommand(argv, null, null);
    }
}
