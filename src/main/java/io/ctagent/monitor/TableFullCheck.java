package io.ctagent.monitor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.ctagent.tuning.Recommendation;
import io.ctagent.usage.ConntrackUsage;
import io.ctagent.usage.UsageProperties;

/** Full or nearly full tables in any namespace, and table-full kernel messages from namespaces not listed. */
final class TableFullCheck implements DiagnosisCheck {

    private final UsageProperties levels;

    TableFullCheck(UsageProperties levels) {
        this.levels = levels;
    }

    @Override
    public List<Finding> check(DiagnosisFacts facts) {
        List<Finding> findings = new ArrayList<>();
        Set<Long> covered = new HashSet<>();
        for (NetnsSummary ns : facts.namespaces()) {
            namespaceNearMax(ns, facts.own(), facts.raiseTo(), facts.recommendation(), facts.tableFull())
                    .ifPresent(f -> {
                        findings.add(f);
                        covered.add(ns.inode());
                    });
        }
        findings.addAll(tableFullElsewhere(facts.tableFull(), covered, facts.own(), facts.raiseTo(),
                facts.recommendation()));
        return findings;
    }

    /** Full or nearly full: the agent's own namespace or any other (max is global, counts are not). */
    Optional<Finding> namespaceNearMax(NetnsSummary ns, ConntrackUsage own, long raiseTo,
                                               Recommendation recommendation, List<AgentEvent> tableFull) {
        if (ns.count() == null || ns.usagePercent() == null) {
            return Optional.empty();
        }
        List<AgentEvent> here = tableFull.stream().filter(e -> Long.valueOf(ns.inode()).equals(e.netnsInode()))
                .toList();
        boolean critical = ns.usagePercent() >= levels.criticalPercent() || !here.isEmpty();
        if (ns.usagePercent() < levels.warnPercent() && here.isEmpty()) {
            return Optional.empty();
        }
        String where = DiagnosisCheck.describe(ns);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("netns", ns.name());
        evidence.put("netnsInode", ns.inode());
        evidence.put("count", ns.count());
        evidence.put("max", own.max());
        evidence.put("usagePercent", ns.usagePercent());
        evidence.put("tableFullEvents", here.size());
        here.stream().reduce((a, b) -> b).ifPresent(e -> evidence.put("lastTableFull", e.time()));
        evidence.put("processes", ns.processes().stream().limit(5).map(p -> p.command()).toList());
        String title = (ns.usagePercent() >= 100 || !here.isEmpty() ? "Table full in " : "Table nearly full in ")
                + where;
        String detail = where + " holds " + ns.count() + " of " + own.max() + " entries (" + ns.usagePercent()
                + " %). " + (here.isEmpty() ? "" : "The kernel logged 'table full, dropping packet' " + here.size()
                + " time(s) in the last " + DiagnosisService.WINDOW.toMinutes() + " min: new connections there are being dropped. ")
                + "nf_conntrack_max is global: raising it to " + raiseTo + " costs up to "
                + DiagnosisCheck.mib(raiseTo * recommendation.inputs().objectSize()) + " of kernel memory. Then find what fills "
                + "it with GET /api/v1/conntrack/entries/summary" + DiagnosisCheck.netnsQuery(ns) + ".";
        return Optional.of(new Finding(ns.own() ? "usage-near-max" : "namespace-table-full",
                critical ? Severity.CRITICAL : Severity.WARNING, title, detail, evidence, DiagnosisCheck.raiseMax(raiseTo)));
    }

    List<Finding> tableFullElsewhere(List<AgentEvent> tableFull, Set<Long> covered, ConntrackUsage own,
                                             long raiseTo, Recommendation recommendation) {
        Map<Long, List<AgentEvent>> byInode = new LinkedHashMap<>();
        for (AgentEvent event : tableFull) {
            long inode = event.netnsInode() == null ? -1 : event.netnsInode();
            if (!covered.contains(inode)) {
                byInode.computeIfAbsent(inode, i -> new ArrayList<>()).add(event);
            }
        }
        List<Finding> findings = new ArrayList<>();
        byInode.forEach((inode, list) -> {
            AgentEvent last = list.get(list.size() - 1);
            Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("tableFullEvents", list.size());
            evidence.put("lastTableFull", last.time());
            evidence.put("lastMessage", last.message());
            if (inode >= 0) {
                evidence.put("netnsInode", inode);
            }
            evidence.put("max", own.max());
            String where = inode < 0 ? "a namespace the kernel did not name"
                    : last.netns() != null ? "namespace " + last.netns() : "namespace " + inode
                    + " (it no longer exists or has no process the agent can see)";
            findings.add(new Finding("table-full-events", Severity.CRITICAL, "Packets dropped: table full in " + where,
                    "The kernel logged 'table full, dropping packet' " + list.size() + " time(s) in the last "
                            + DiagnosisService.WINDOW.toMinutes() + " min for " + where + ". Raise nf_conntrack_max to " + raiseTo
                            + " (up to " + DiagnosisCheck.mib(raiseTo * recommendation.inputs().objectSize()) + ").",
                    evidence, DiagnosisCheck.raiseMax(raiseTo)));
        });
        return findings;
    }
}
