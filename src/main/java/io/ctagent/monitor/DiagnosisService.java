package io.ctagent.monitor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.stereotype.Service;

import io.ctagent.entries.EntryService;
import io.ctagent.entries.EntrySummary;
import io.ctagent.entries.FlushProperties;
import io.ctagent.entries.FlushShare;
import io.ctagent.entries.GroupBy;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.monitor.Finding.ProposedRequest;
import io.ctagent.tuning.Recommendation;
import io.ctagent.tuning.Recommendation.RecommendedSetting;
import io.ctagent.tuning.RecommendationService;
import io.ctagent.usage.ConntrackUsage;
import io.ctagent.usage.HistoryPoint;
import io.ctagent.usage.UsageHistory;
import io.ctagent.usage.UsageHistoryWindow;
import io.ctagent.usage.UsageLevel;
import io.ctagent.usage.UsageProperties;
import io.ctagent.usage.UsageService;

/**
 * The runbook as checks: each finding names the numbers it used and the exact request that fixes
 * it. A check without evidence emits nothing.
 */
@Service
public class DiagnosisService {

    static final Duration WINDOW = Duration.ofMinutes(15);
    static final String MAX_KEY = "net.netfilter.nf_conntrack_max";
    /** Older kernels sized max at 4 entries per bucket; more means long hash chains on every lookup. */
    static final double MAX_ENTRIES_PER_BUCKET = 4.0;
    /** Below this the table is too small for shares to mean anything. */
    static final long MIN_ENTRIES_FOR_TABLE_CHECKS = 1000;
    static final double FLOOD_SHARE = 0.5;
    static final double FORWARDING_LOCAL_SHARE = 0.1;
    static final int LOCAL_SHARE_GROUPS = 1000;

    private final UsageService usage;
    private final UsageHistory history;
    private final UsageProperties levels;
    private final NetnsInventory inventory;
    private final EventLog events;
    private final RecommendationService recommendations;
    private final EntryService entries;
    private final HostAgent host;
    private final Clock clock;
    private final List<FindingSource> sources;
    private final FlushProperties flushLimits;

    DiagnosisService(UsageService usage, UsageHistory history, UsageProperties levels, NetnsInventory inventory,
                     EventLog events, RecommendationService recommendations, EntryService entries, HostAgent host,
                     Clock clock, FlushProperties flushLimits, List<FindingSource> sources) {
        this.sources = sources;
        this.flushLimits = flushLimits;
        this.entries = entries;
        this.usage = usage;
        this.history = history;
        this.levels = levels;
        this.inventory = inventory;
        this.events = events;
        this.recommendations = recommendations;
        this.host = host;
        this.clock = clock;
    }

    public Diagnosis diagnose() {
        ConntrackUsage own = usage.usage(NetnsTarget.OWN);
        Recommendation recommendation = recommendations.recommend();
        List<NetnsSummary> namespaces = inventory.list();
        Instant since = Instant.now(clock).minus(WINDOW);
        List<AgentEvent> tableFull = events.list(0, EventType.TABLE_FULL, Integer.MAX_VALUE).stream()
                .filter(e -> !e.time().isBefore(since)).toList();

        List<Finding> findings = new ArrayList<>();
        Set<Long> covered = new HashSet<>();
        long fullest = namespaces.stream().mapToLong(n -> n.count() == null ? 0 : n.count()).max().orElse(0);
        long raiseTo = raisedMax(recommendation, own, fullest);
        for (NetnsSummary ns : namespaces) {
            namespaceNearMax(ns, own, raiseTo, recommendation, tableFull).ifPresent(f -> {
                findings.add(f);
                covered.add(ns.inode());
            });
        }
        findings.addAll(tableFullElsewhere(tableFull, covered, own, raiseTo, recommendation));
        bucketsTooFew(own, recommendation).ifPresent(findings::add);
        drops(history.window(WINDOW), own, raiseTo, recommendation).ifPresent(findings::add);
        load(recommendation.inputs().cpus()).ifPresent(findings::add);
        if (own.count() >= MIN_ENTRIES_FOR_TABLE_CHECKS) {
            longTimeouts(own, recommendation).ifPresent(findings::add);
            oneSourceDominates(own).ifPresent(findings::add);
            forwardingOnly(own).ifPresent(findings::add);
        }
        sources.forEach(source -> findings.addAll(source.findings()));

        findings.sort(Comparator.comparing(Finding::severity).reversed());
        Severity level = findings.isEmpty() ? Severity.INFO : findings.get(0).severity();
        return new Diagnosis(Instant.now(clock), level, WINDOW, findings);
    }

    /** Full or nearly full: the agent's own namespace or any other (max is global, counts are not). */
    private Optional<Finding> namespaceNearMax(NetnsSummary ns, ConntrackUsage own, long raiseTo,
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
        String where = describe(ns);
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
                + " time(s) in the last " + WINDOW.toMinutes() + " min: new connections there are being dropped. ")
                + "nf_conntrack_max is global: raising it to " + raiseTo + " costs up to "
                + mib(raiseTo * recommendation.inputs().objectSize()) + " of kernel memory. Then find what fills "
                + "it with GET /api/v1/conntrack/entries/summary" + netnsQuery(ns) + ".";
        return Optional.of(new Finding(ns.own() ? "usage-near-max" : "namespace-table-full",
                critical ? Severity.CRITICAL : Severity.WARNING, title, detail, evidence, raiseMax(raiseTo)));
    }

    private List<Finding> tableFullElsewhere(List<AgentEvent> tableFull, Set<Long> covered, ConntrackUsage own,
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
                            + WINDOW.toMinutes() + " min for " + where + ". Raise nf_conntrack_max to " + raiseTo
                            + " (up to " + mib(raiseTo * recommendation.inputs().objectSize()) + ").",
                    evidence, raiseMax(raiseTo)));
        });
        return findings;
    }

    private Optional<Finding> bucketsTooFew(ConntrackUsage own, Recommendation recommendation) {
        if (own.buckets() == 0 || (double) own.max() / own.buckets() <= MAX_ENTRIES_PER_BUCKET) {
            return Optional.empty();
        }
        long buckets = recommendation.buckets().recommended();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("max", own.max());
        evidence.put("buckets", own.buckets());
        evidence.put("entriesPerBucketAtMax", Math.round(100.0 * own.max() / own.buckets()) / 100.0);
        evidence.put("recommendedBuckets", buckets);
        return Optional.of(new Finding("buckets-too-few", Severity.WARNING, "Hash table too small for max",
                "A full table would hold " + evidence.get("entriesPerBucketAtMax") + " entries per bucket; every "
                        + "packet walks that chain. " + recommendation.buckets().reason(),
                evidence, new ProposedRequest("PUT", "/api/v1/hashsize", Map.of("value", buckets, "persist", true),
                "operator", "resize the hash table to " + buckets + " buckets")));
    }

    private Optional<Finding> drops(UsageHistoryWindow window, ConntrackUsage own, long raiseTo,
                                    Recommendation recommendation) {
        double drop = 0;
        double earlyDrop = 0;
        double insertFailed = 0;
        List<HistoryPoint> points = window.points();
        for (int i = 1; i < points.size(); i++) {
            double seconds = Duration.between(points.get(i - 1).time(), points.get(i).time()).toMillis() / 1000.0;
            drop += rate(points.get(i).dropPerSecond()) * seconds;
            earlyDrop += rate(points.get(i).earlyDropPerSecond()) * seconds;
            insertFailed += rate(points.get(i).insertFailedPerSecond()) * seconds;
        }
        if (drop + earlyDrop + insertFailed < 1) {
            return Optional.empty();
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("window", window.window().toString());
        evidence.put("drop", Math.round(drop));
        evidence.put("earlyDrop", Math.round(earlyDrop));
        evidence.put("insertFailed", Math.round(insertFailed));
        evidence.put("peakCount", window.peakCount());
        evidence.put("max", own.max());
        boolean dropping = drop + insertFailed >= 1;
        return Optional.of(new Finding("conntrack-drops", dropping ? Severity.CRITICAL : Severity.WARNING,
                dropping ? "The kernel dropped packets it could not track" : "The kernel evicted entries to make room",
                "In the last " + WINDOW.toMinutes() + " min the agent's namespace counted " + Math.round(drop)
                        + " drops, " + Math.round(earlyDrop) + " early drops and " + Math.round(insertFailed)
                        + " failed inserts (peak " + window.peakCount() + " of " + own.max() + "). Raise "
                        + "nf_conntrack_max to " + raiseTo + " (up to "
                        + mib(raiseTo * recommendation.inputs().objectSize()) + ").",
                evidence, raiseMax(raiseTo)));
    }

    private Optional<Finding> load(int cpus) {
        Optional<String> loadavg = host.readProc(NetnsTarget.OWN, "loadavg");
        if (loadavg.isEmpty() || cpus <= 0) {
            return Optional.empty();
        }
        double oneMinute = Double.parseDouble(loadavg.get().strip().split("\\s+")[0]);
        double perCpu = Math.round(100.0 * oneMinute / cpus) / 100.0;
        if (perCpu < 1.0) {
            return Optional.empty();
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("loadavg1", oneMinute);
        evidence.put("cpus", cpus);
        evidence.put("loadPerCpu", perCpu);
        return Optional.of(new Finding("system-load", perCpu >= 2 ? Severity.CRITICAL : Severity.WARNING,
                "System load is high", "The 1-minute load is " + oneMinute + " on " + cpus + " CPUs (" + perCpu
                + " per CPU). Conntrack lookups and garbage collection slow down under load; no API call fixes "
                + "this: find the busy processes (top, dmesg).", evidence, null));
    }

    /** Which TCP state each timeout sysctl holds entries in. */
    private static final Map<String, String> TIMEOUT_STATE = Map.of(
            "net.netfilter.nf_conntrack_tcp_timeout_established", "ESTABLISHED",
            "net.netfilter.nf_conntrack_tcp_timeout_time_wait", "TIME_WAIT",
            "net.netfilter.nf_conntrack_tcp_timeout_close_wait", "CLOSE_WAIT",
            "net.netfilter.nf_conntrack_tcp_timeout_fin_wait", "FIN_WAIT");

    /** Timeouts above the recommendation, holding at least half the table in their TCP states. */
    private Optional<Finding> longTimeouts(ConntrackUsage own, Recommendation recommendation) {
        EntrySummary byState = entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.STATE), 20);
        Map<String, Long> perState = new LinkedHashMap<>();
        byState.groups().forEach(g -> perState.put(String.valueOf(g.key().get("state")), g.count()));
        Map<String, Long> changes = new LinkedHashMap<>();
        Map<String, Object> evidence = new LinkedHashMap<>();
        long held = 0;
        for (RecommendedSetting timeout : recommendation.timeouts()) {
            String state = TIMEOUT_STATE.get(timeout.key());
            if (state == null || timeout.current() == null || timeout.current() <= timeout.recommended()) {
                continue;
            }
            long inState = perState.getOrDefault(state, 0L);
            held += inState;
            changes.put(timeout.key(), timeout.recommended());
            evidence.put(timeout.key(), Map.of("current", timeout.current(), "recommended", timeout.recommended(),
                    "entries" + state, inState));
        }
        if (changes.isEmpty() || byState.total() == 0 || held * 2 < byState.total()) {
            return Optional.empty();
        }
        evidence.put("total", byState.total());
        evidence.put("heldByLongTimeouts", held);
        Severity severity = own.level() == UsageLevel.OK ? Severity.INFO : Severity.WARNING;
        return Optional.of(new Finding("long-timeouts", severity, "Long TCP timeouts hold most of the table",
                held + " of " + byState.total() + " entries are in TCP states whose timeouts are longer than "
                        + "this host needs; dead connections stay tracked that long. Shorten them as recommended.",
                evidence, new ProposedRequest("PATCH", "/api/v1/sysctls", Map.of("changes", changes, "persist", true),
                "operator", "shorten the TCP timeouts to the recommended values")));
    }

    /** One source address holding an abnormal share of the table: a flood, or one very busy client. */
    private Optional<Finding> oneSourceDominates(ConntrackUsage own) {
        EntrySummary bySrc = entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.SRC), 1);
        if (bySrc.groups().isEmpty() || bySrc.total() == 0) {
            return Optional.empty();
        }
        EntrySummary.Group top = bySrc.groups().get(0);
        double share = (double) top.count() / bySrc.total();
        if (share < FLOOD_SHARE) {
            return Optional.empty();
        }
        Object src = top.key().get("src");
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("src", src);
        evidence.put("entries", top.count());
        evidence.put("total", bySrc.total());
        evidence.put("sharePercent", Math.round(share * 1000) / 10.0);
        // The flush guard judges the real delete by the share it removes: say so when it would object.
        Optional<String> guard = new FlushShare(top.count(), bySrc.total())
                .needsConfirmation(flushLimits.confirmShare(), flushLimits.confirmCount())
                .map(why -> "The delete without dryRun needs the admin role and the header X-Confirm: flush-all: "
                        + why + ".");
        return Optional.of(new Finding("one-source-dominates",
                own.level() == UsageLevel.OK ? Severity.WARNING : Severity.CRITICAL,
                "One source holds " + evidence.get("sharePercent") + " % of the table",
                src + " holds " + top.count() + " of " + bySrc.total() + " entries: a flood or a misbehaving "
                        + "client. Check it with GET /api/v1/conntrack/entries?src=" + src + ", then delete its "
                        + "entries (the proposed request is a dry run; drop dryRun to delete) and block it upstream."
                        + guard.map(text -> " " + text).orElse(""),
                evidence, new ProposedRequest("POST", "/api/v1/conntrack/flush",
                Map.of("filter", Map.of("src", String.valueOf(src)), "dryRun", true),
                guard.isPresent() ? "admin" : "operator", "count, then delete, the entries from " + src,
                guard.isPresent() ? Map.of("X-Confirm", "flush-all") : null, guard.orElse(null))));
    }

    /**
     * A router: forwarding on and few entries to or from the host's own addresses. Its tracked flows
     * are transit traffic that scoped NOTRACK rules can exempt (never a blanket rule: NAT needs tracking).
     */
    private Optional<Finding> forwardingOnly(ConntrackUsage own) {
        boolean forwarding = host.readProc(NetnsTarget.OWN, "sys/net/ipv4/ip_forward")
                .map(text -> text.strip().equals("1")).orElse(false);
        if (!forwarding) {
            return Optional.empty();
        }
        Set<String> local = localAddresses();
        EntrySummary byDst = entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.DST), LOCAL_SHARE_GROUPS);
        EntrySummary bySrc = entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.SRC), LOCAL_SHARE_GROUPS);
        long toHost = byDst.groups().stream().filter(g -> local.contains(String.valueOf(g.key().get("dst"))))
                .mapToLong(EntrySummary.Group::count).sum();
        long fromHost = bySrc.groups().stream().filter(g -> local.contains(String.valueOf(g.key().get("src"))))
                .mapToLong(EntrySummary.Group::count).sum();
        long total = Math.max(1, byDst.total());
        double localShare = Math.min(1.0, (double) (toHost + fromHost) / total);
        if (localShare > FORWARDING_LOCAL_SHARE) {
            return Optional.empty();
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("ipForward", 1);
        evidence.put("total", byDst.total());
        evidence.put("toOrFromThisHost", toHost + fromHost);
        evidence.put("localSharePercent", Math.round(localShare * 1000) / 10.0);
        evidence.put("localAddresses", local.size());
        Object busiestPort = entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.DPORT), 1).groups().stream()
                .findFirst().map(g -> g.key().get("dport")).orElse(null);
        evidence.put("busiestDport", busiestPort);
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("direction", "PREROUTING");
        rule.put("protocol", "udp");
        rule.put("dports", busiestPort == null ? "53" : String.valueOf(busiestPort));
        rule.put("comment", "transit traffic exempted after diagnosis");
        rule.put("dryRun", true);
        return Optional.of(new Finding("forwarding-host", Severity.INFO, "Forwarding host: most tracked flows are transit",
                "IP forwarding is on and only " + evidence.get("localSharePercent") + " % of " + byDst.total()
                        + " entries go to or come from this host. If this transit traffic needs no NAT or stateful "
                        + "filtering, exempt the busiest flows with scoped NOTRACK rules (a dry run is proposed; set "
                        + "protocol, ports and addresses to the flows you mean). Never a blanket NOTRACK.",
                evidence, new ProposedRequest("POST", "/api/v1/notrack/rules", rule, "operator",
                "plan a scoped NOTRACK rule for the busiest transit port")));
    }

    /** The host's own addresses (`ip -o addr show`), without prefix lengths. */
    private Set<String> localAddresses() {
        Set<String> addresses = new HashSet<>();
        try {
            for (String line : host.runUnprivileged(io.ctagent.hostagent.Tool.IP, List.of("-o", "addr", "show"))
                    .stdout().split("\n")) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && (fields[2].equals("inet") || fields[2].equals("inet6"))) {
                    addresses.add(fields[3].replaceAll("/.*", ""));
                }
            }
        } catch (RuntimeException noIpTool) {
            // Without the ip tool every entry counts as transit: the finding says how many addresses it knew.
        }
        return addresses;
    }

    /** Enough for the fullest namespace twice over, and at least what the recommendation says. */
    static long raisedMax(Recommendation recommendation, ConntrackUsage own, long fullestCount) {
        return Math.max(Math.max(recommendation.max().recommended(), 2 * fullestCount), own.max() + 1);
    }

    private static ProposedRequest raiseMax(long value) {
        return new ProposedRequest("PUT", "/api/v1/sysctls/" + MAX_KEY, Map.of("value", value, "persist", true,
                "reason", "diagnosis: conntrack table full"), "operator", "raise nf_conntrack_max to " + value
                + " now and after a reboot");
    }

    private static String describe(NetnsSummary ns) {
        if (ns.own()) {
            return "the agent's own namespace";
        }
        return ns.name() != null ? "namespace " + ns.name() : "namespace " + ns.inode()
                + (ns.processes().isEmpty() ? "" : " (" + ns.processes().get(0).command() + ")");
    }

    private static String netnsQuery(NetnsSummary ns) {
        return ns.name() == null || ns.own() ? "" : "?netns=" + ns.name();
    }

    private static double rate(Double value) {
        return value == null ? 0 : value;
    }

    private static String mib(long bytes) {
        return Math.round(bytes / 1048576.0 * 10) / 10.0 + " MiB";
    }
}
