package io.ctagent.notrack;

import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;

/**
 * One check that the kernel still holds a namespace's rules.
 *
 * @param at when it ran
 * @param missing ids of rules the kernel had lost (drift); empty when all were there
 * @param restored whether the missing rules were re-created (false in dry-run mode or on failure)
 * @param error why the check or the repair failed, else null
 */
public record ReconcileReport(Instant at, List<String> missing, boolean restored, @Nullable String error) {
}
