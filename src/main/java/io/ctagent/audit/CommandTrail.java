package io.ctagent.audit;

import java.util.ArrayList;
import java.util.List;

import io.ctagent.hostagent.CommandResult;

/**
 * What a change did on the host, collected while it runs so that a failure half-way still
 * records the commands that ran. Also collects warnings for the response.
 */
public final class CommandTrail {

    private final List<AuditCommand> commands = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    /** A command that ran (whatever its exit code). */
    public void ran(CommandResult result) {
        commands.add(AuditCommand.of(result));
    }

    /** A command a dry run would run. */
    public void planned(List<String> argv) {
        commands.add(AuditCommand.planned(argv));
    }

    /** A step that is not a command, e.g. {@code ["write", "/proc/sys/...", "262144"]}. */
    public void step(AuditCommand step) {
        commands.add(step);
    }

    public void warn(String warning) {
        warnings.add(warning);
    }

    public List<AuditCommand> commands() {
        return List.copyOf(commands);
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }
}
