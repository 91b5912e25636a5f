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
import io.ctagent.security.Callers;
import io.ctagent.security.Role;

/**
 * Changes that would hurt the host are refused unless an admin sends force with a reason:
 * a max at or below the entries already tracked in any namespace (every new connection there would be
 * dropped at once; {@link MaxAcrossNamespaces}), with a warning for a max below any namespace's sampled peak;
 * a max or bucket count whose memory would exceed ctagent.tuning.max-memory-percent of MemTotal; fewer
 * buckets than max / {@value #MAX_CHAIN}; and an established TCP or UDP stream timeout (or
 * what every TCP packet falls under once max_retrans is 0) below its floor.
 */
@Component
public class SysctlGuards {

    /** One bucket is one pointer (hlist_nulls_head). */
    static final int BUCKET_BYTES = 8;
    /** Entries per bucket at max beyond which a smaller hash table is refused. */
    static final int MAX_CHAIN = 8;
    /**
     * The least a caller may set without force, for what shortens live connections' entries: the
     * established TCP and UDP stream timeouts (the runbook's values), and the timeout and retransmission
     * count that every TCP packet falls under once max_retrans is 0 (max_retrans 0 with its timeout at
     * 1 s is a 1 s timeout for every connection).
     */
    static final Map<SysctlKey, Floor> FLOORS = Map.of(
            new SysctlKey("net.netfilter.nf_conntrack_tcp_timeout_established"), new Floor(300, " s"),
            new SysctlKey("net.netfilter.nf_conntrack_udp_timeout_stream"), new Floor(30, " s"),
            new SysctlKey("net.netfilter.nf_conntrack_tcp_timeout_max_retrans"), new Floor(60, " s"),
            new SysctlKey("net.netfilter.nf_conntrack_tcp_timeout_unacknowledged"), new Floor(60, " s"),
            new SysctlKey("net.netfilter.nf_conntrack_tcp_max_retrans"), new Floor(3, " retransmissions"));

    /** The least value without force, and how to print its unit. */
    record Floor(long value, String unit) {
    }

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
                List<NetnsSummary> counts = namespaceCounts();
                List<NetnsSummary> over = MaxAcrossNamespaces.over(change.value(), counts);
                if (!over.isEmpty()) {
                    refusals.add(MaxAcrossNamespaces.refusal(change.key(), change.value(), over));
                    overMax.addAll(over);
                } else {
                    MaxAcrossNamespaces.littleRoom(change.key(), change.value(), counts).ifPresent(warnings::add);
                    belowPeak(change).ifPresent(warnings::add);
                }
                if (old == null || change.value() > old) {
                    budget(change, (long) memory.objectSize(), "entries of " + memory.objectSize() + " bytes")
                            .ifPresent(refusals::add);
                    // A raise is never refused for its chains (remediation raises max mid-incident): a warning.
                    chainsAfterRaise(change.value(), afterBatch(SysctlKey.BUCKETS, changes, before))
                            .ifPresent(warnings::add);
                }
            } else if (change.key().equals(SysctlKey.BUCKETS) && (old == null || change.value() > old)) {
                budget(change, BUCKET_BYTES, "buckets of " + BUCKET_BYTES + " bytes").ifPresent(refusals::add);
            } else if (change.key().equals(SysctlKey.BUCKETS) && change.value() < old) {
                longChains(change, afterBatch(SysctlKey.MAX, changes, before)).ifPresent(refusals::add);
            } else if (FLOORS.containsKey(change.key()) && (old == null || change.value() < old)) {
                belowFloor(change, FLOORS.get(change.key())).ifPresent(refusals::add);
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
        // Each guard stands between a caller and the host's traffic or memory: overriding one is the
        // admin's call, as for a whole-table flush or a broad NOTRACK rule.
        Callers.require(Role.ADMIN, "forcing past a sysctl guard");
        if (reason == null) {
            throw new InvalidInput("reason", "force overrides a guard only with a reason (one line, recorded in the "
                    + "audit log): " + String.join(" ", refusals));
        }
        refusals.stream().map(refusal -> "Forced past a guard (" + reason + "): " + refusal).forEach(warnings::add);
        return warnings;
    }

    /**
     * Fewer buckets than the table needs: past {@value #MAX_CHAIN} entries per bucket at max, every
     * packet's lookup walks a long chain (the kernel rounds the count up to one page, 512 buckets).
     */
    private static Optional<String> longChains(Requested change, Long max) {
        if (max == null || change.value() <= 0 || change.value() >= (max + MAX_CHAIN - 1) / MAX_CHAIN) {
            return Optional.empty();
        }
        return Optional.of(change.key() + " = " + change.value() + " is " + ((max + change.value() - 1) / change.value())
                + " entries per bucket at nf_conntrack_max = " + max + ", more than " + MAX_CHAIN + ": every lookup "
                + "of a full table walks chains that long, on every packet. Keep at least max / " + MAX_CHAIN
                + " = " + ((max + MAX_CHAIN - 1) / MAX_CHAIN) + " buckets.");
    }

    private static Optional<String> chainsAfterRaise(long max, Long buckets) {
        if (buckets == null || buckets <= 0 || buckets * MAX_CHAIN >= max) {
            return Optional.empty();
        }
        return Optional.of("nf_conntrack_max = " + max + " is " + ((max + buckets - 1) / buckets) + " entries per "
                + "bucket at " + buckets + " buckets, more than " + MAX_CHAIN + ": a full table walks long chains on "
                + "every packet. Raise the hash table too (PUT /api/v1/hashsize, at least "
                + ((max + MAX_CHAIN - 1) / MAX_CHAIN) + ").");
    }

    /** What a variable (max, buckets) will be after this batch: the batch's own value, else the current one. */
    private Long afterBatch(SysctlKey variable, List<Requested> changes, Map<SysctlKey, Long> before) {
        for (Requested change : changes) {
            if (change.key().variable().equals(variable)) {
                return change.value();
            }
        }
        Long now = before.get(variable);
        return now != null ? now : reader.values(NetnsTarget.OWN, List.of(variable)).get(variable);
    }

    /** A value so low that live connections lose their entry (and their NAT) between packets. */
    private static Optional<String> belowFloor(Requested change, Floor floor) {
        if (change.value() >= floor.value()) {
            return Optional.empty();
        }
        return Optional.of(change.key() + " = " + change.value() + floor.unit() + " is below " + floor.value()
                + floor.unit() + ": live connections would lose their entry, their NAT mapping with it, between "
                + "packets, and their next packet is INVALID (dropped by the usual ctstate INVALID rule). "
                + floor.value() + floor.unit() + " is the least without force.");
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
