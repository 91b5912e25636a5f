package io.ctagent.sysctl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.monitor.NetnsInventory;
import io.ctagent.monitor.NetnsSummary;
import io.ctagent.monitor.NetnsHistoryPoint;
import io.ctagent.monitor.NetnsSampler;
import io.ctagent.tuning.HostMemory;
import io.ctagent.problem.InvalidInput;
import io.ctagent.problem.OperatorProblem;

/**
 * Changes that would hurt the host are refused unless the client sends force with a reason:
 * a max below the entries already tracked in any namespace (every new connection there would be
 * dropped at once; {@link MaxAcrossNamespaces}), with a warning for a max below any namespace's sampled peak, and
 * a max or bucket count whose memory would exceed ctagent.tuning.max-memory-percent of MemTotal.
 */
@Component
public class SysctlGuards {

    /** One bucket is one pointer (hlist_nulls_head). */
    static final int BUCKET_BYTES = 8;

    private final SysctlReader reader;
    private final HostMemory memory;
    private final NetnsInventory namespaces;
    private final NetnsSampler history;

    SysctlGuards(SysctlReader reader, HostMemory memory, NetnsInventory namespaces, NetnsSampler history) {
        this.reader = reader;
        this.memory = memory;
        this.namespaces = namespaces;
        this.history = history;
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
        List<String> warnings = new ArrayList<>();
        List<NetnsSummary> overMax = new ArrayList<>();
        for (Requested change : changes) {
            Long old = before.get(change.key());
            if (change.key().variable().equals(SysctlKey.MAX)) {
                List<NetnsSummary> over = MaxAcrossNamespaces.over(change.value(), namespaceCounts());
                if (!over.isEmpty()) {
                    refusals.add(MaxAcrossNamespaces.refusal(change.key(), change.value(), over));
                    overMax.addAll(over);
                } else {
                    belowPeak(change).ifPresent(warnings::add);
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
            return warnings;
        }
        if (!force) {
            OperatorProblem refused = new OperatorProblem(HttpStatus.CONFLICT, "guard-refused",
                    "Change refused by a guard", String.join(" ", refusals) + " Nothing was changed. To do it anyway "
                            + "send \"force\": true with a \"reason\" (recorded in the audit log).")
                    .with("guards", refusals);
            if (!overMax.isEmpty()) {
                refused.with("namespaces", overMax);
            }
            throw refused;
        }
        if (reason == null) {
            throw new InvalidInput("reason", "force overrides a guard only with a reason (one line, recorded in the "
                    + "audit log): " + String.join(" ", refusals));
        }
        refusals.stream().map(refusal -> "Forced past a guard (" + reason + "): " + refusal).forEach(warnings::add);
        return warnings;
    }

    /** A warning when the new max is below the fullest namespace's count at any sample of the history. */
    private Optional<String> belowPeak(Requested change) {
        Duration kept = history.properties().history();
        return history.window(kept, null).points().stream().filter(point -> point.fullestCount() != null)
                .max(Comparator.comparingLong(NetnsHistoryPoint::fullestCount))
                .flatMap(peak -> MaxAcrossNamespaces.belowPeak(change.key(), change.value(), peak.fullestCount(),
                        peak.fullestNetns() != null ? "namespace " + peak.fullestNetns()
                                : "namespace " + peak.fullestInode(), kept.toMinutes() + " min"));
    }

    /**
     * Every namespace's count as GET /api/v1/netns shows it; the agent's own from its sysctl when the
     * inventory has none (no process of the agent's namespace readable, or the inventory failed).
     */
    private List<NetnsSummary> namespaceCounts() {
        List<NetnsSummary> counts = new ArrayList<>();
        try {
            counts.addAll(namespaces.list());
        } catch (RuntimeException unreadable) {
            // The agent's own count below still guards; other namespaces are unknown.
        }
        if (counts.stream().noneMatch(ns -> ns.own() && ns.count() != null)) {
            counts.add(new NetnsSummary(0, null, true, currentCount(), null, "sysctl", 0, List.of()));
        }
        return counts;
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
