package io.ctagent.change;

import java.util.ArrayList;
import java.util.List;

import io.ctagent.audit.AuditCommand;
import io.ctagent.hostagent.HostWrite;

/**
 * The steps a change ran on the host, in order, twice over: as argument lists for the response's
 * {@code commands}, and with exit codes and durations for the audit. A restore after a failure is
 * a step too.
 */
public final class ChangeSteps {

    private final List<List<String>> commands = new ArrayList<>();
    private final List<AuditCommand> audited = new ArrayList<>();

    /** Records a write's steps and hands the write back. */
    public HostWrite add(HostWrite write) {
        commands.addAll(write.commands());
        audited.addAll(audited(write));
        return write;
    }

    public List<List<String>> commands() {
        return List.copyOf(commands);
    }

    public List<AuditCommand> audited() {
        return List.copyOf(audited);
    }

    /** The steps of a host write as the audit records them: argv, exit code, duration. */
    public static List<AuditCommand> audited(HostWrite write) {
        if (!write.results().isEmpty()) {
            return write.results().stream().map(AuditCommand::of).toList();
        }
        // A write that reported no steps: its commands, each with the write's own result.
        return write.commands().stream()
                .map(argv -> new AuditCommand(argv, write.succeeded() ? 0 : 1, write.durationMillis()))
                .toList();
    }

    /** Argument lists a dry run would run. */
    public static List<AuditCommand> planned(List<List<String>> commands) {
        return commands.stream().map(AuditCommand::planned).toList();
    }
}
