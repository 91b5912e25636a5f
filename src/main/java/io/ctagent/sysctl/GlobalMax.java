package io.ctagent.sysctl;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.change.Actor;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Writability;
import io.ctagent.problem.OperatorProblem;
import tools.jackson.databind.node.LongNode;

/**
 * nf_conntrack_max for changes the agent makes by itself (unattended remediation): set through the
 * very method PUT /api/v1/sysctls/net.netfilter.nf_conntrack_max runs, so guards, audit, read-back and
 * rollback are the same as for a caller's change, recorded with the policy as actor.
 */
@Component
public class GlobalMax {

    private final SysctlChanger changer;
    private final SysctlReader reader;

    GlobalMax(SysctlChanger changer, SysctlReader reader) {
        this.changer = changer;
        this.reader = reader;
    }

    /** Whether this agent may set it: only from the initial namespace, with the privilege. */
    public Writability writability() {
        return reader.writability(SysctlKey.MAX, NetnsTarget.OWN);
    }

    /**
     * Sets it at runtime (and in the managed drop-in when {@code persist}) for {@code actor}; reason is one line.
     * Only from {@code expected}, the value the decision was made on: if max moved since (an operator's PUT), the
     * change refuses (412, nothing written) rather than set a value computed from a stale one, which could lower
     * it. The check holds under the mutation lock: the change carries the ETag of what was read as If-Match.
     */
    public SysctlChange set(Actor actor, long expected, long value, boolean persist, String reason) {
        SysctlView current = reader.view(SysctlKey.MAX, NetnsTarget.OWN);
        if (current.value() == null || current.value() != expected) {
            throw new OperatorProblem(HttpStatus.PRECONDITION_FAILED, "stale-etag", "Value changed since it was read",
                    SysctlKey.MAX + " is " + current.value() + ", not the " + expected + " the change was decided on. "
                            + "Nothing was changed.");
        }
        return changer.put(actor, SysctlKey.MAX.name(), null,
                new SysctlRequests.SysctlPutRequest(LongNode.valueOf(value), persist, null, null, reason),
                SysctlReader.etag(current));
    }
}
