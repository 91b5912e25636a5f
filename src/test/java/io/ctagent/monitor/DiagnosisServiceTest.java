package io.ctagent.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ctagent.entries.EntryService;
import io.ctagent.entries.EntrySummary;
import io.ctagent.entries.GroupBy;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.monitor.NetnsSummary.ProcessSummary;
import io.ctagent.tuning.Recommendation;
import io.ctagent.tuning.Recommendation.RecommendationInputs;
import io.ctagent.tuning.Recommendation.RecommendedSetting;
import io.ctagent.tuning.RecommendationService;
import io.ctagent.usage.ConntrackUsage;
import io.ctagent.usage.HistoryPoint;
import io.ctagent.usage.UsageHistory;
import io.ctagent.usage.UsageHistoryWindow;
import io.ctagent.usage.UsageLevel;
import io.ctagent.usage.UsageProperties;
import io.ctagent.usage.UsageService;

class DiagnosisServiceTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final long HOST_NS = 4026531840L;
    private static final long LAB_NS = 4026532247L;

    private final UsageService usage = mock(UsageService.class);
    private final UsageHistory history = mock(UsageHistory.class);
    private final NetnsInventory inventory = mock(NetnsInventory.class);
    private final EventLog events = mock(EventLog.class);
    private final RecommendationService recommendations = mock(RecommendationService.class);
    private final EntryService entries = mock(EntryService.class);
    private final HostAgent host = mock(HostAgent.class);
    private DiagnosisService diagnosis;

    @BeforeEach
    void quietHost() {
        diagnosis = new DiagnosisService(usage, history, new UsageProperties(75, 90), inventory, events,
                recommendations, entries, host, Clock.fixed(NOW, ZoneOffset.UTC),
                new io.ctagent.entries.FlushProperties(0.5, null, java.time.Duration.ofMinutes(10)), List.of());
        ownUsage(100, 262144, 262144);
        recommend(262144, 262144, List.of());
        given(inventory.list()).willReturn(List.of(namespace(HOST_NS, null, true, 100, 262144)));
        given(events.list(eq(0L), eq(EventType.TABLE_FULL), anyInt())).willReturn(List.of());
        given(history.window(any())).willReturn(new UsageHistoryWindow(Duration.ofMinutes(15), Duration.ofSeconds(5),
                100, List.of()));
        given(host.readProc(NetnsTarget.OWN, "loadavg")).willReturn(Optional.of("0.20 0.10 0.05 1/100 123\n"));
    }

    @Test
    void aQuietHostHasNoFindings() {
        Diagnosis result = diagnosis.diagnose();

        assertThat(result.findings()).isEmpty();
        assertThat(result.level()).isEqualTo(Severity.INFO);
    }

    @Test
    void aFullNamespaceWithTableFullEventsIsCriticalAndProposesRaisingMax() {
        ownUsage(10, 1000, 262144);
        given(inventory.list()).willReturn(List.of(namespace(LAB_NS, "lab1", false, 1000, 1000),
                namespace(HOST_NS, null, true, 10, 1000)));
        given(events.list(eq(0L), eq(EventType.TABLE_FULL), anyInt())).willReturn(List.of(new AgentEvent(1,
                NOW.minusSeconds(3), EventType.TABLE_FULL, Severity.CRITICAL,
                "nf_conntrack: table full in netns " + LAB_NS + ", dropping packet", LAB_NS, "lab1", "kmsg")));

        Diagnosis result = diagnosis.diagnose();

        assertThat(result.level()).isEqualTo(Severity.CRITICAL);
        Finding finding = result.findings().get(0);
        assertThat(finding.id()).isEqualTo("namespace-table-full");
        assertThat(finding.evidence()).containsEntry("netns", "lab1").containsEntry("count", 1000L)
                .containsEntry("tableFullEvents", 1);
        assertThat(finding.fix().method()).isEqualTo("PUT");
        assertThat(finding.fix().path()).isEqualTo("/api/v1/sysctls/net.netfilter.nf_conntrack_max");
        assertThat(((Map<?, ?>) finding.fix().body()).get("value")).isEqualTo(262144L);
        assertThat(result.findings()).extracting(Finding::id).doesNotContain("table-full-events");
    }

    @Test
    void tableFullInANamespaceThatIsGoneIsStillReported() {
        given(events.list(eq(0L), eq(EventType.TABLE_FULL), anyInt())).willReturn(List.of(new AgentEvent(1,
                NOW.minusSeconds(60), EventType.TABLE_FULL, Severity.CRITICAL, "table full", 42L, null, "kmsg")));

        Finding finding = diagnosis.diagnose().findings().get(0);

        assertThat(finding.id()).isEqualTo("table-full-events");
        assertThat(finding.evidence()).containsEntry("netnsInode", 42L);
    }

    @Test
    void dropsInTheWindowAreReportedWithTheirCounts() {
        given(history.window(any())).willReturn(new UsageHistoryWindow(Duration.ofMinutes(15), Duration.ofSeconds(5),
                5000, List.of(point(0, null), point(5, 4.0))));

        Finding finding = only("conntrack-drops");

        assertThat(finding.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(finding.evidence()).containsEntry("drop", 20L);
    }

    @Test
    void tooFewBucketsForMaxProposesAResize() {
        ownUsage(100, 262144, 16384);
        recommend(262144, 262144, List.of());

        Finding finding = only("buckets-too-few");

        assertThat(finding.evidence()).containsEntry("entriesPerBucketAtMax", 16.0);
        assertThat(finding.fix().path()).isEqualTo("/api/v1/hashsize");
    }

    @Test
    void oneSourceHoldingMostOfTheTableProposesADryRunFlushOfIt() {
        Finding finding = oneSourceHolds(4000, 5000);

        assertThat(finding.evidence()).containsEntry("sharePercent", 80.0);
        assertThat(finding.fix().path()).isEqualTo("/api/v1/conntrack/flush");
        assertThat(finding.fix().body()).isEqualTo(Map.of("filter", Map.of("src", "203.0.113.9"), "dryRun", true));
        assertThat(finding.fix().role()).isEqualTo("admin");
        assertThat(finding.fix().headers()).isEqualTo(Map.of("X-Confirm", "flush-all"));
        assertThat(finding.fix().guard()).contains("4000 of 5000", "confirm-share");
    }

    /** One source holding {@code entries} of a table of {@code total}: the finding it gives. */
    private Finding oneSourceHolds(long entries, long total) {
        ownUsage(total, 262144, 262144);
        given(this.entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.STATE), 20)).willReturn(summary(total));
        given(this.entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.SRC), 1)).willReturn(summary(total,
                new EntrySummary.Group(Map.of("src", "203.0.113.9"), entries)));
        return only("one-source-dominates");
    }

    @Test
    void aSourceHoldingExactlyTheShareIsProposedToAnOperatorWithoutGuard() {
        Finding finding = oneSourceHolds(2500, 5000);

        assertThat(finding.fix().role()).isEqualTo("operator");
        assertThat(finding.fix().headers()).isNull();
        assertThat(finding.fix().guard()).isNull();
    }

    @Test
    void theProposedMaxIsNeverBelowAnyNamespacesCount() {
        ownUsage(100, 1000, 262144);
        recommend(1000, 262144, List.of());
        given(inventory.list()).willReturn(List.of(namespace(LAB_NS, "lab", false, 990, 1000),
                namespace(HOST_NS, null, true, 100, 1000)));

        diagnosis.diagnose().findings().stream().filter(f -> f.fix() != null && f.fix().path().endsWith("_max"))
                .forEach(f -> assertThat(((Number) ((Map<?, ?>) f.fix().body()).get("value")).longValue())
                        .as(f.id()).isGreaterThanOrEqualTo(990));
        assertThat(diagnosis.diagnose().findings()).anyMatch(f -> f.fix() != null && f.fix().path().endsWith("_max"));
    }

    @Test
    void longTimeoutsHoldingMostEntriesProposeThePatch() {
        ownUsage(5000, 262144, 262144);
        String established = "net.netfilter.nf_conntrack_tcp_timeout_established";
        recommend(262144, 262144,
                List.of(new RecommendedSetting(established, 432000L, 7875, "keepalive")));
        given(entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.STATE), 20)).willReturn(summary(5000,
                new EntrySummary.Group(Map.of("state", "ESTABLISHED"), 4000)));
        given(entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.SRC), 1)).willReturn(summary(5000));

        Finding finding = only("long-timeouts");

        assertThat(finding.fix().method()).isEqualTo("PATCH");
        assertThat(finding.fix().body()).isEqualTo(Map.of("changes", Map.of(established, 7875L), "persist", true));
        assertThat(finding.evidence()).containsEntry("heldByLongTimeouts", 4000L);
    }

    @Test
    void highLoadPerCpuIsAFindingWithoutAnApiFix() {
        given(host.readProc(NetnsTarget.OWN, "loadavg")).willReturn(Optional.of("5.00 3.00 1.00 3/200 999\n"));

        Finding finding = only("system-load");

        assertThat(finding.evidence()).containsEntry("loadPerCpu", 2.5);
        assertThat(finding.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(finding.fix()).isNull();
    }

    @Test
    void aForwardingHostWithLittleLocalTrafficIsToldAboutScopedNotrack() {
        ownUsage(5000, 262144, 262144);
        given(host.readProc(NetnsTarget.OWN, "sys/net/ipv4/ip_forward")).willReturn(Optional.of("1\n"));
        given(host.runUnprivileged(eq(io.ctagent.hostagent.Tool.IP), any())).willReturn(
                new io.ctagent.hostagent.CommandResult(List.of("/usr/sbin/ip"), 0,
                        "2: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\n", "", 1, false, false));
        given(entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.STATE), 20)).willReturn(summary(5000));
        given(entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.SRC), 1)).willReturn(summary(5000,
                new EntrySummary.Group(Map.of("src", "198.51.100.7"), 100)));
        given(entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.DST), 1000)).willReturn(summary(5000,
                new EntrySummary.Group(Map.of("dst", "203.0.113.1"), 4800),
                new EntrySummary.Group(Map.of("dst", "192.0.2.2"), 200)));
        given(entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.SRC), 1000)).willReturn(summary(5000,
                new EntrySummary.Group(Map.of("src", "198.51.100.7"), 5000)));
        given(entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.DPORT), 1)).willReturn(summary(5000,
                new EntrySummary.Group(Map.of("dport", 53), 4000)));

        Finding finding = only("forwarding-host");

        assertThat(finding.evidence()).containsEntry("localSharePercent", 4.0).containsEntry("busiestDport", 53);
        assertThat(finding.fix().path()).isEqualTo("/api/v1/notrack/rules");
        assertThat(((Map<?, ?>) finding.fix().body()).get("dryRun")).isEqualTo(true);
    }

    @Test
    void aForwardingHostServingItselfIsNotAForwardingFinding() {
        ownUsage(5000, 262144, 262144);
        given(host.readProc(NetnsTarget.OWN, "sys/net/ipv4/ip_forward")).willReturn(Optional.of("1\n"));
        given(host.runUnprivileged(eq(io.ctagent.hostagent.Tool.IP), any())).willReturn(
                new io.ctagent.hostagent.CommandResult(List.of("/usr/sbin/ip"), 0,
                        "2: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\n", "", 1, false, false));
        given(entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.STATE), 20)).willReturn(summary(5000));
        given(entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.SRC), 1)).willReturn(summary(5000));
        given(entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.DST), 1000)).willReturn(summary(5000,
                new EntrySummary.Group(Map.of("dst", "192.0.2.2"), 4000)));
        given(entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.SRC), 1000)).willReturn(summary(5000));

        assertThat(diagnosis.diagnose().findings()).isEmpty();
    }

    private Finding only(String id) {
        List<Finding> found = diagnosis.diagnose().findings();
        assertThat(found).extracting(Finding::id).containsExactly(id);
        return found.get(0);
    }

    private void ownUsage(long count, long max, long buckets) {
        double percent = 100.0 * count / max;
        given(usage.usage(NetnsTarget.OWN)).willReturn(new ConntrackUsage(null, count, max, percent, buckets,
                buckets, (double) count / buckets, 0, 256, percent >= 90 ? UsageLevel.CRITICAL
                : percent >= 75 ? UsageLevel.WARN : UsageLevel.OK, NOW, 75, 90));
    }

    private static NetnsSummary namespace(long inode, String name, boolean own, long count, long max) {
        return new NetnsSummary(inode, name, own, count, Math.round(10000.0 * count / max) / 100.0, "pid 1", 1,
                List.of(new ProcessSummary(1, "init", null)));
    }

    private void recommend(long max, long buckets, List<RecommendedSetting> timeouts) {
        Recommendation built = recommendation(max, buckets, timeouts);
        given(recommendations.recommend()).willReturn(built);
    }

    private static Recommendation recommendation(long max, long buckets, List<RecommendedSetting> timeouts) {
        Recommendation recommendation = mock(Recommendation.class);
        given(recommendation.max()).willReturn(new RecommendedSetting("net.netfilter.nf_conntrack_max", max, max,
                "kernel default"));
        given(recommendation.buckets()).willReturn(new RecommendedSetting("net.netfilter.nf_conntrack_buckets",
                buckets, buckets, "one bucket per entry"));
        given(recommendation.timeouts()).willReturn(timeouts);
        given(recommendation.inputs()).willReturn(new RecommendationInputs(24L << 30, 2, "6.18", 256, 100, "now",
                max, buckets, 10, 1L << 30, 4_000_000));
        return recommendation;
    }

    private static HistoryPoint point(long seconds, Double dropPerSecond) {
        return new HistoryPoint(NOW.minusSeconds(30 - seconds), 5000, 262144, 1.9, 0.0, dropPerSecond, 0.0, 0.0);
    }

    private static EntrySummary summary(long total, EntrySummary.Group... groups) {
        return new EntrySummary(null, "procfs", Map.of(), List.of(), 20, total, total, List.of(groups), 0,
                groups.length, true, 0, 1, List.of());
    }
}
