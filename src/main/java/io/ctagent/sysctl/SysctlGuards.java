package io.ctagent.sysctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.tuning.HostMemory;
import io.ctagent.problem.InvalidInput;
import io.ctagent.problem.OperatorProblem;

/**
 * Changes that would hurt the host are refused unless the client sends force with a reason:
 * a max below the entries already tracked (every new connection would be dropped at once), and
 * a max or bucket count whose memory would exceed ctagent.tuning.max-memory-percent of MemTotal.
 */
@Component
public class SysctlGuards {

    /** One bucket is one pointer (hlist_nulls_head). */
    static final int BUCKET_BYTES = 8;

    private final SysctlReader reader;
    private final HostMemory memory;

    SysctlGuards(SysctlReader reader, HostMemory memory) {
        this.reader = reader;
        this.memory = memory;
    }

    /** A requested value for a key. */
    public record Requested(SysctlKey key, long value) {
    }

    /**
     * Checks each change; returns a warning per guard that force overrode, or throws 409 naming
     * the guard, or 400 when force is used without a reason.
     */
    public List<String> check(List<Requested> changes, Map<SysctlKey, Long> before, boolean force, String reason) {
        List<String> refusals = new ArrayList<>();
        for (Requested change : changes) {
            Long old = before.get(change.key());
            if (change.key().variable().equals(SysctlKey.MAX)) {
                long count = currentCount();
                if (change.value() < count) {
                    refusals.add(change.key() + " = " + change.value() + " is below the " + count + " entries tracked "
                            + "now: the kernel would drop every new connection until that many expire.");
                }
                if (old == null || change.value() > old) {
                    budget(change, (long) memory.objectSize(), "entries of " + memory.objectSize() + " bytes")
                            .ifPresent(refusals::add);
                }
            } else if (change.key().equals(SysctlKey.BUCKETS) && (old == null || change.value() > old)) {
                budget(change, BUCKET_BYTES, "buckets of " + BUCKET_BYTES + " bytes").ifPresent(refusals::add);
            }
        }
        if (refusals.isEmpty()) {
            return List.of();
        }
        if (!force) {
            throw new OperatorProblem(HttpStatus.CONFLICT, "guard-refused", "Change refused by a guard",
                    String.join(" ", refusals) + " Nothing was changed. To do it anyway send \"force\": true with a "
                            + "\"reason\" (recorded in the audit log).")
                    .with("guards", refusals);
        }
        if (reason == null) {
            throw new InvalidInput("reason", "force overrides a guard only with a reason (one line, recorded in the "
                    + "audit log): " + String.join(" ", refusals));
        }
        return refusals.stream().map(refusal -> "Forced past a guard (" + reason + "): " + refusal).toList();
    }

    private Optional<String> budget(Requested change, long bytesEach, String what) {
        long bytes = Math.multiplyHigh(change.value(), bytesEach) != 0 ? Long.MAX_VALUE : change.value() * bytesEach;
        long budget = memory.budgetBytes();
        if (bytes <= budget) {
            return Optional.empty();
        }
        return Optional.of(change.key() + " = " + change.value() + " means up to " + mib(bytes) + " MiB ("
                + change.value() + " " + what + "), more than the " + memory.budgetPercent() + " % of MemTotal ("
                + mib(budget) + " MiB) that ctagent.tuning.max-memory-percent allows.");
    }

    private long currentCount() {
        Long count = reader.values(NetnsTarget.OWN, List.of(SysctlKey.COUNT)).get(SysctlKey.COUNT);
        return count == null ? 0 : count;
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }
}
