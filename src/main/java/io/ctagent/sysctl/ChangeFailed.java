package io.ctagent.sysctl;

import org.springframework.http.HttpStatus;

import io.ctagent.problem.OperatorProblem;

/**
 * A mutation that failed on the host: a problem+json that also carries the change's fields
 * (before, after, applied, commands, warnings, ...), so a client sees what was restored.
 */
public class ChangeFailed extends OperatorProblem {

    private final transient SysctlChange change;

    public ChangeFailed(HttpStatus status, String type, String title, String detail, SysctlChange change) {
        super(status, type, title, detail);
        this.change = change;
        with("result", change.result());
        with("action", change.action());
        with("netns", change.netns());
        with("before", change.before());
        with("after", change.after());
        with("applied", change.applied());
        with("dryRun", change.dryRun());
        with("persist", change.persist());
        with("commands", change.commands());
        with("files", change.files());
        with("warnings", change.warnings());
        with("auditId", change.auditId());
    }

    public SysctlChange change() {
        return change;
    }
}
