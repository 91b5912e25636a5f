package io.ctagent.audit;

import java.util.List;

/**
 * One page of audit records, newest first.
 *
 * @param records the matching records, at most {@code limit}
 * @param nextCursor pass as {@code cursor} to get the next (older) page; null on the last page
 */
public record AuditPage(List<AuditRecord> records, String nextCursor) {
}
