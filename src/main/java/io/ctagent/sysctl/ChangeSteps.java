package io.ctagent.sysctl;

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
        audited.addAll(ChangeAudit.steps(write));
        return write;
    }

    public List<List<String>> commands() {
        return List.copyOf(commands);
    }

    public List<AuditCommand> audited() {
        return List.copyOf(audited);
    }
}
