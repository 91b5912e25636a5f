package io.ctagent.monitor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.springframework.stereotype.Service;

import io.ctagent.entries.EntryService;
import io.ctagent.entries.FlushProperties;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.tuning.Recommendation;
import io.ctagent.tuning.RecommendationService;
import io.ctagent.usage.ConntrackUsage;
import io.ctagent.usage.UsageHistory;
import io.ctagent.usage.UsageProperties;
import io.ctagent.usage.UsageService;

/**
 * The runbook as checks, one class each ({@link DiagnosisCheck}): each finding names the numbers it
 * used and the exact request that fixes it. A check without evidence emits nothing. This service
 * reads what they share once ({@link DiagnosisFacts}) and runs them.
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
    private final NetnsInventory inventory;
    private final EventLog events;
    private final RecommendationService recommendations;
    private final Clock clock;
    /** The checks that need only the numbers, and those that read the table too. */
    private final List<DiagnosisCheck> checks;
    private final List<DiagnosisCheck> tableChecks;
    /** Findings other features raise (the lifeline, unattended remediation). */
    private final List<FindingSource> sources;

    DiagnosisService(UsageService usage, UsageHistory history, UsageProperties levels, NetnsInventory inventory,
                     EventLog events, RecommendationService recommendations, EntryService entries, HostAgent host,
                     Clock clock, FlushProperties flushLimits, List<FindingSource> sources) {
        this.sources = sources;
        this.usage = usage;
        this.inventory = inventory;
        this.events = events;
        this.recommendations = recommendations;
        this.clock = clock;
        this.checks = List.of(new TableFullCheck(levels), new BucketsCheck(), new DropsCheck(history),
                new LoadCheck(host));
        this.tableChecks = List.of(new LongTimeoutsCheck(entries), new OneSourceCheck(entries, flushLimits),
                new ForwardingCheck(entries, host));
    }

    public Diagnosis diagnose() {
        ConntrackUsage own = usage.usage(NetnsTarget.OWN);
        Recommendation recommendation = recommendations.recommend();
        List<NetnsSummary> namespaces = inventory.list();
        Instant since = Instant.now(clock).minus(WINDOW);
        List<AgentEvent> tableFull = events.list(0, EventType.TABLE_FULL, Integer.MAX_VALUE).stream()
                .filter(e -> !e.time().isBefore(since)).toList();
        long fullest = namespaces.stream().mapToLong(n -> n.count() == null ? 0 : n.count()).max().orElse(0);
        DiagnosisFacts facts = new DiagnosisFacts(own, recommendation, namespaces, tableFull,
                raisedMax(recommendation, own, fullest));

        List<Finding> findings = new ArrayList<>();
        checks.forEach(check -> findings.addAll(check.check(facts)));
        // Reading the table is only worth it once it holds enough entries to show a pattern.
        if (own.count() >= MIN_ENTRIES_FOR_TABLE_CHECKS) {
            tableChecks.forEach(check -> findings.addAll(check.check(facts)));
        }
        sources.forEach(source -> findings.addAll(source.findings()));

        findings.sort(Comparator.comparing(Finding::severity).reversed());
        Severity level = findings.isEmpty() ? Severity.INFO : findings.get(0).severity();
        return new Diagnosis(Instant.now(clock), level, WINDOW, findings);
    }

    /** Enough for the fullest namespace twice over, and at least what the recommendation says. */
    static long raisedMax(Recommendation recommendation, ConntrackUsage own, long fullestCount) {
        return Math.max(Math.max(recommendation.max().recommended(), 2 * fullestCount), own.max() + 1);
    }
}
