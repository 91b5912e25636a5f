package io.ctagent.change;

import java.util.HashMap;
import java.util.Map;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.ctagent.audit.AuditLog;
import io.ctagent.audit.AuditResult;
import io.ctagent.audit.DeniedRequests;
import io.ctagent.problem.RejectedRequest;

/**
 * The records of requests refused before any change was described: a change request with bad input
 * (400, one INVALID record naming the field) and a caller the access rules turned away (401/403, the
 * bounded log of denied requests). Refusals of a described change (a guard, a stale ETag, a
 * read-only agent...) are written by {@link ChangePipeline}; together they are the only writers of
 * refusal records, as ArchitectureTest checks.
 */
@Component
public class Refusals {

    private final AuditLog audit;
    private final DeniedRequests denials;

    public Refusals(AuditLog audit, DeniedRequests denials) {
        this.audit = audit;
        this.denials = denials;
    }

    /** A 400 answered by the web layer on a request that would change something. */
    @EventListener
    void invalid(RejectedRequest rejected) {
        Map<String, Object> params = new HashMap<>();
        params.put("field", rejected.field());
        audit.rejected(rejected.action(), rejected.target(), params, AuditResult.INVALID, rejected.detail());
    }

    /**
     * A request the access rules refused (or a role check inside a feature), counted in the log of
     * denied requests; never throws.
     *
     * @param reason a short code: unauthenticated, wrong-key, bad-token, forbidden, no-rule
     * @param requiredRole the role the endpoint needs, or null
     * @param detail what the caller was told
     */
    public void denied(String reason, String method, String uri, String requiredRole, String detail) {
        denials.record(reason, method, uri, requiredRole, detail);
    }
}
