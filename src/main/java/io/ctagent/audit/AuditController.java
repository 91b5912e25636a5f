package io.ctagent.audit;

import java.io.UncheckedIOException;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.ctagent.problem.OperatorProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@RequestMapping(path = "/api/v1/audit", produces = "application/json")
@Tag(name = "audit", description = "The hash-chained record of every change and attempted change (admin, auditor)")
class AuditController {

    private final AuditLog audit;
    private final DeniedRequests denials;

    AuditController(AuditLog audit, DeniedRequests denials) {
        this.audit = audit;
        this.denials = denials;
    }

    @GetMapping
    @Operation(summary = "Audit records, newest first, filtered and paged")
    AuditPage records(
            @Parameter(description = "records at or after this time (ISO-8601, e.g. 2025-01-31T13:00:00Z)")
            @RequestParam(required = false) String since,
            @Parameter(description = "records before this time (ISO-8601)")
            @RequestParam(required = false) String until,
            @Parameter(description = "exact actor, e.g. key:ansible or jwt:alice")
            @RequestParam(required = false) String actor,
            @Parameter(description = "exact action, e.g. sysctl.set")
            @RequestParam(required = false) String action,
            @Parameter(description = "APPLIED, UNCHANGED, DRY_RUN, FAILED, DENIED or INVALID")
            @RequestParam(required = false) String result,
            @Parameter(description = "page size, 1 to 1000 (default 100)")
            @RequestParam(required = false) String limit,
            @Parameter(description = "nextCursor of the previous page")
            @RequestParam(required = false) String cursor) {
        AuditQuery query = AuditQuery.parse(since, until, actor, action, result, limit, cursor);
        try (AuditSnapshot changes = audit.file().snapshot(); AuditSnapshot denied = denials.file().snapshot()) {
            return AuditSearch.search(List.of(changes, denied), query);
        } catch (UncheckedIOException e) {
            throw unreadable(e);
        }
    }

    @GetMapping("/verify")
    @Operation(summary = "Walk the hash chains (changes, and denied requests): ok with the record count, or the "
            + "first broken record and why; what rotation deleted from the denied requests")
    VerifyReport verify() {
        try (AuditSnapshot changes = audit.file().snapshot(); AuditSnapshot denied = denials.file().snapshot()) {
            return ChainVerifier.verify(changes).with(ChainVerifier.verify(denied));
        } catch (UncheckedIOException e) {
            throw unreadable(e);
        }
    }

    private static OperatorProblem unreadable(UncheckedIOException e) {
        return new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "audit-unavailable", "Audit log unreadable",
                e.getMessage() + ". Check the audit directory (ctagent.audit.path); changes are refused until "
                        + "the audit can be written again.", e);
    }
}
