package io.ctagent.testsupport;

import io.ctagent.audit.AuditLog;
import io.ctagent.change.ChangePipeline;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.HostWriter;
import io.ctagent.hostagent.MutationLock;

/** The one change pipeline, wired by hand for tests that build a feature without Spring. */
public final class TestPipeline {

    private TestPipeline() {
    }

    /** A pipeline over this audit log whose mode is the host agent's (writes are the features' own). */
    public static ChangePipeline of(AuditLog audit, HostAgent host) {
        return new ChangePipeline(audit, new MutationLock(), new HostWriter(host, null));
    }

    public static ChangePipeline of(AuditLog audit, HostWriter writer) {
        return new ChangePipeline(audit, new MutationLock(), writer);
    }
}
