package io.ctagent.sysctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import io.ctagent.monitor.NetnsSummary;

/**
 * A new global nf_conntrack_max measured against every namespace on the host: max is global but
 * each namespace counts its own entries, so a max below any one count makes that namespace drop
 * every new connection at once, however empty the agent's own table is.
 */
final class MaxAcrossNamespaces {

    private static final int PROCESSES_NAMED = 3;

    private MaxAcrossNamespaces() {
    }

    /** The namespaces whose count is at or above the new max (a full table), fullest first. */
    static List<NetnsSummary> over(long newMax, List<NetnsSummary> namespaces) {
        List<NetnsSummary> over = new ArrayList<>(namespaces.stream()
                .filter(ns -> ns.count() != null && newMax <= ns.count()).toList());
        over.sort((a, b) -> Long.compare(b.count(), a.count()));
        return over;
    }

    /**
     * A warning when the new max leaves the fullest namespace less than a tenth of it free: above the count,
     * so not refused, but a burst of new connections fills it.
     */
    static Optional<String> littleRoom(SysctlKey key, long newMax, List<NetnsSummary> namespaces) {
        return namespaces.stream().filter(ns -> ns.count() != null && ns.count() < newMax
                        && (newMax - ns.count()) * 10 < newMax)
                .max((a, b) -> Long.compare(a.count(), b.count()))
                .map(ns -> key + " = " + newMax + " leaves " + (newMax - ns.count()) + " free entries above the "
                        + ns.count() + " tracked now in " + describe(ns) + ", less than a tenth: a burst of new "
                        + "connections fills the table.");
    }

    /** The refusal: each namespace over the new max, with its count and what runs in it. */
    static String refusal(SysctlKey key, long newMax, List<NetnsSummary> over) {
        return key + " = " + newMax + " is at or below the " + over.stream()
                .map(ns -> ns.count() + " entries tracked now in " + describe(ns))
                .collect(Collectors.joining("; and the ")) + ". max is global: the kernel would drop every new "
                + "connection there until that many expire.";
    }

    /** A warning when the new max is below the highest count the sampler saw in a namespace, or empty. */
    static Optional<String> belowPeak(SysctlKey key, long newMax, long peak, String where, String window) {
        if (newMax >= peak) {
            return Optional.empty();
        }
        return Optional.of(key + " = " + newMax + " is below the peak of " + peak + " entries the sampler saw in "
                + where + " in the last " + window + ": when that load returns, new connections there are dropped.");
    }

    /** "the agent's own namespace", "namespace lab1 (inode 4026532..., nginx pid 12, container 3f2a...)". */
    static String describe(NetnsSummary ns) {
        String name = ns.own() ? "the agent's own namespace" : ns.name() != null ? "namespace " + ns.name()
                : "namespace " + ns.inode();
        List<String> details = new ArrayList<>();
        if (!ns.own() && ns.name() != null && ns.inode() > 0) {
            details.add("inode " + ns.inode());
        }
        if (ns.processes() != null) {
            ns.processes().stream().limit(PROCESSES_NAMED).forEach(p -> details.add(p.command() + " pid " + p.pid()
                    + (p.containerId() == null ? "" : " container " + p.containerId().substring(0, 12))));
            if (ns.processCount() > PROCESSES_NAMED) {
                details.add((ns.processCount() - PROCESSES_NAMED) + " more processes");
            }
        }
        return details.isEmpty() ? name : name + " (" + String.join(", ", details) + ")";
    }
}
