package io.ctagent.sysctl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.audit.AuditLog;
import io.ctagent.audit.AuditRecord;
import io.ctagent.audit.AuditResult;
import io.ctagent.audit.VerifyReport;
import io.ctagent.problem.OperatorProblem;
import tools.jackson.databind.JsonNode;

/**
 * Rollback's view of the audit log: the outcome record of a change (the auditId its response
 * carried; the id of its intent leads to the same outcome), with the {@link SysctlState}
 * it recorded as {@code before}. The record is trusted only when the hash chain holds from its
 * start through it, as GET /api/v1/audit/verify checks: an edited, removed or inserted record at
 * or before it refuses the rollback.
 */
@Component
class AuditChangeHistory implements ChangeHistory {

    /** The changes rollback can undo: each one's before state is a set of sysctl values. */
    static final Set<String> SYSCTL_ACTIONS = Set.of("sysctl.set", "sysctl.batch", "sysctl.rollback");

    private final AuditLog audit;

    AuditChangeHistory(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public Optional<RecordedChange> find(String auditId) {
        Optional<AuditRecord> found = audit.find(auditId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        AuditRecord asked = found.get();
        AuditRecord record = "intent".equals(asked.phase()) ? audit.outcomeOf(asked.id()).orElse(null) : asked;
        requireIntactChain(auditId, record != null ? record : asked);
        if (record == null) {
            throw refused("change-without-outcome", "Change has no outcome", "The audit holds the intent " + auditId
                    + " (" + asked.action() + ") but no outcome for it: the change was interrupted or its outcome "
                    + "could not be written, so what it left is not known. Check the values and set them explicitly.");
        }
        if (!SYSCTL_ACTIONS.contains(record.action())) {
            throw notASysctlChange(auditId, record);
        }
        if (record.result() != AuditResult.APPLIED) {
            throw refused("change-not-applied", "Change was not applied", "Audit record " + auditId + " ("
                    + record.action() + " of " + record.target() + ") ended " + record.result()
                    + ", so the host has nothing of it to roll back.");
        }
        return Optional.of(recorded(record));
    }

    /** Before values are only as good as the chain up to them (an outcome comes after its intent). */
    private void requireIntactChain(String auditId, AuditRecord record) {
        VerifyReport report = audit.verifyThrough(record);
        if (report.ok()) {
            return;
        }
        VerifyReport.Broken broken = report.firstBroken();
        throw refused("audit-chain-broken", "Audit chain broken", "The audit chain does not hold up to the change "
                + auditId + ", so the values it recorded cannot be trusted: the first broken record is "
                + where(broken) + " (" + broken.reason() + "). Inspect GET /api/v1/audit/verify and find out who "
                + "changed the audit log; to set values anyway, PUT them explicitly.")
                .with("firstBroken", broken);
    }

    private static String where(VerifyReport.Broken broken) {
        String record = broken.id() != null ? broken.id() : "the one";
        return broken.file() == null ? record
                : record + " in " + broken.file() + (broken.line() != null ? " line " + broken.line() : "");
    }

    private static RecordedChange recorded(AuditRecord outcome) {
        JsonNode before = outcome.before();
        JsonNode values = before == null ? null : before.get("values");
        if (values == null || !values.isObject() || values.isEmpty()) {
            throw refused("change-unreadable", "Change record unreadable", "Audit record " + outcome.id()
                    + " has no before values to restore.");
        }
        Map<String, Long> runtime = new LinkedHashMap<>();
        values.properties().forEach(entry -> {
            if (!entry.getValue().isIntegralNumber()) {
                throw refused("change-unreadable", "Change record unreadable", "Audit record " + outcome.id()
                        + " has no number as the before value of " + entry.getKey() + ".");
            }
            runtime.put(entry.getKey(), entry.getValue().longValue());
        });
        JsonNode dropIn = before.get("dropIn");
        boolean persisted = dropIn != null && dropIn.isObject();
        Map<String, Long> persistedBefore = new LinkedHashMap<>();
        if (persisted) {
            dropIn.properties().forEach(entry -> {
                if (entry.getValue().isIntegralNumber()) {
                    persistedBefore.put(entry.getKey(), entry.getValue().longValue());
                }
            });
        }
        JsonNode netns = before.get("netns");
        return new RecordedChange(outcome.id(), netns == null || netns.isNull() ? null : netns.stringValue(),
                runtime, persisted, persistedBefore);
    }

    private static OperatorProblem notASysctlChange(String auditId, AuditRecord record) {
        String detail = "hashsize.set".equals(record.action())
                ? "Audit record " + auditId + " is a hash table resize; undo it with PUT /api/v1/hashsize and "
                        + "the before value it recorded" + beforeBuckets(record) + "."
                : "Audit record " + auditId + " is " + (record.action() == null ? "not a change"
                        : "'" + record.action() + "'") + ", not a sysctl change; rollback undoes sysctl.set, "
                        + "sysctl.batch and sysctl.rollback.";
        return refused("not-a-sysctl-change", "Not a sysctl change", detail);
    }

    private static String beforeBuckets(AuditRecord record) {
        JsonNode values = record.before() == null ? null : record.before().get("values");
        JsonNode buckets = values == null ? null : values.get(SysctlKey.BUCKETS.name());
        boolean persisted = record.before().get("dropIn") != null && record.before().get("dropIn").isObject();
        return buckets == null ? "" : " ({\"value\": " + buckets + (persisted ? ", \"persist\": true" : "") + "})";
    }

    private static OperatorProblem refused(String type, String title, String detail) {
        return new OperatorProblem(HttpStatus.CONFLICT, type, title, detail + " Nothing was changed.")
                .with("field", "auditId");
    }
}
