package io.ctagent.audit;

/**
 * The receipt for a written intent record: hand it to {@link AuditLog#outcome} when the change
 * is done.
 *
 * @param id the intent record's id; mutation responses return it as {@code auditId}
 */
public record AuditIntent(String id, String action, String target) {
}
