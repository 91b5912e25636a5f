package io.ctagent.audit;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * One page of audit records, newest first.
 *
 * @param records the matching records, at most {@code limit}
 * @param nextCursor pass as {@code cursor} to get the next (older) page; null on the last page
 */
public record AuditPage(List<AuditRecord> records, @Nullable String nextCursor) {
}
