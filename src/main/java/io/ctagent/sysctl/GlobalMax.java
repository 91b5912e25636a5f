package io.ctagent.sysctl;

import org.springframework.stereotype.Component;

import io.ctagent.change.Actor;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Writability;
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

    /** Sets it at runtime (and in the managed drop-in when {@code persist}) for {@code actor}; reason is one line. */
    public SysctlChange set(Actor actor, long value, boolean persist, String reason) {
        return changer.put(actor, SysctlKey.MAX.name(), null,
                new SysctlRequests.SysctlPutRequest(LongNode.valueOf(value), persist, null, null, reason), null);
    }
}
