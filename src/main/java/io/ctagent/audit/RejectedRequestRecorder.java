package io.ctagent.audit;

import java.util.HashMap;
import java.util.Map;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.ctagent.problem.RejectedRequest;

/** Records a change request that was refused as invalid (400) before it reached the host. */
@Component
class RejectedRequestRecorder {

    private final AuditLog audit;

    RejectedRequestRecorder(AuditLog audit) {
        this.audit = audit;
    }

    @EventListener
    void on(RejectedRequest rejected) {
        Map<String, Object> params = new HashMap<>();
        params.put("field", rejected.field());
        audit.rejected(rejected.action(), rejected.target(), params, AuditResult.INVALID, rejected.detail());
    }
}
