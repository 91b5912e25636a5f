package io.ctagent.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.contains;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.after;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ctagent.change.Actor;
import io.ctagent.entries.EntryService;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Writability;
import io.ctagent.monitor.AgentEvent;
import io.ctagent.monitor.EventLog;
import io.ctagent.monitor.EventType;
import io.ctagent.monitor.Severity;
import io.ctagent.sysctl.ChangeResult;
import io.ctagent.sysctl.GlobalMax;
import io.ctagent.sysctl.SysctlChange;
import io.ctagent.tuning.RecommendationService;
import io.ctagent.testsupport.MutableClock;
import io.ctagent.usage.ConntrackStats;
import io.ctagent.usage.ConntrackUsage;
import io.ctagent.usage.StatCounters;
import io.ctagent.usage.UsageLevel;
import io.ctagent.usage.UsageService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Remediation reacts to the table-full event itself, and to the drop counter rising between two reads, through
 * GlobalMax, as the remediation policy.
 */
class RemediationTest {

    /** A table-full message logged now (remediation ignores those logged before it started). */
    private static AgentEvent tableFull() {
        return new AgentEvent(1, Instant.now(), EventType.TABLE_FULL, Severity.CRITICAL,
                "nf_conntrack: table full, dropping packet", null, null, "kernel");
    }

    private final UsageService usage = mock(UsageService.class);
    private final GlobalMax max = mock(GlobalMax.class);
    private final EventLog events = mock(EventLog.class);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RecommendationService recommendations = mock(RecommendationService.class,
            org.mockito.Mockito.RETURNS_DEEP_STUBS);

    private Remediation remediation(boolean enabled) {
        return remediation(enabled, Clock.systemUTC());
    }

    private Remediation remediation(boolean enabled, Clock clock) {
        return remediation(enabled, clock, 1500L, 1_000_000L);
    }

    /** With this max-ceiling and this memory budget (in entries) of the tuning recommendation; max is 1000. */
    private Remediation remediation(boolean enabled, Clock clock, long maxCeiling, long budgetEntries) {
        when(recommendations.recommend().inputs().budgetEntries()).thenReturn(budgetEntries);
        when(usage.usage(NetnsTarget.OWN)).thenReturn(new ConntrackUsage(null, 1000, 1000, 100.0, 1024, 1024L, 1.0,
                256000, 256, UsageLevel.CRITICAL, Instant.now(), 75, 90));
        return new Remediation(new RemediationProperties(enabled, 2, maxCeiling, Duration.ofSeconds(60), false,
                Duration.ofHours(1)), max, usage, recommendations, mock(EntryService.class), events,
                registry, clock);
    }

    /** The agent's own namespace's statistics with this drop counter (the only one remediation reads). */
    private void dropsRead(long... drops) {
        var stubbing = when(usage.stats(NetnsTarget.OWN));
        for (long drop : drops) {
            stubbing = stubbing.thenReturn(new ConntrackStats(null, List.of("drop"), new StatCounters(null, null,
                    null, null, null, null, null, drop, null, null, null, null, null, null, null, null), List.of(),
                    Instant.now()));
        }
    }

    private static SysctlChange change(boolean dryRun) {
        return new SysctlChange(dryRun ? ChangeResult.DRY_RUN : ChangeResult.APPLIED, "sysctl.set", null,
                Map.of("net.netfilter.nf_conntrack_max", 1000L), Map.of("net.netfilter.nf_conntrack_max", 1500L),
                !dryRun, dryRun, false, List.of(), List.of(), List.of(), "a1");
    }

    @Test
    void theTableFullEventRaisesMaxAsThePolicyWithTheEvidence() {
        when(max.writability()).thenReturn(Writability.YES);
        when(max.set(eq(Actor.policy("remediation")), eq(1000L), eq(1500L), eq(false), anyString())).thenReturn(change(false));
        Remediation remediation = remediation(true);
        remediation.start();
        try {
            remediation.on(tableFull());

            verify(max, timeout(2000)).set(eq(Actor.policy("remediation")), eq(1000L), eq(1500L), eq(false),
                    contains("table full, dropping packet"));
            verify(events, timeout(2000)).publish(eq(EventType.REMEDIATION), eq(Severity.WARNING),
                    contains("raised nf_conntrack_max from 1000 to 1500"), eq(null), eq("policy:remediation"),
                    org.mockito.ArgumentMatchers.any());
        } finally {
            remediation.stop();
        }
        assertThat(registry.counter("ctagent.remediation.actions", "result", "applied").count()).isEqualTo(1);
    }

    @Test
    void inDryRunModeItRecordsWhatItWouldDo() {
        when(max.writability()).thenReturn(Writability.YES);
        when(max.set(eq(Actor.policy("remediation")), eq(1000L), eq(1500L), eq(false), anyString())).thenReturn(change(true));
        Remediation remediation = remediation(true);
        remediation.start();
        try {
            remediation.on(tableFull());

            verify(events, timeout(2000)).publish(eq(EventType.REMEDIATION), eq(Severity.WARNING),
                    contains("would raise"), eq(null), eq("policy:remediation"), org.mockito.ArgumentMatchers.any());
        } finally {
            remediation.stop();
        }
        assertThat(registry.counter("ctagent.remediation.actions", "result", "dry_run").count()).isEqualTo(1);
    }

    @Test
    void whereMaxIsReadOnlyItChangesNothingAndRaisesACriticalFinding() {
        when(max.writability()).thenReturn(Writability.no("the agent runs outside the initial network namespace"));
        Remediation remediation = remediation(true);
        remediation.start();
        try {
            remediation.on(tableFull());

            verify(events, timeout(2000)).publish(eq(EventType.REMEDIATION), eq(Severity.CRITICAL), anyString(),
                    eq(null), eq("policy:remediation"), org.mockito.ArgumentMatchers.any());
        } finally {
            remediation.stop();
        }
        verify(max, never()).set(org.mockito.ArgumentMatchers.any(), anyLong(), anyLong(), anyBoolean(), anyString());
        assertThat(remediation.findings()).singleElement().satisfies(finding -> {
            assertThat(finding.id()).isEqualTo("remediation-read-only");
            assertThat(finding.severity()).isEqualTo(Severity.CRITICAL);
        });
    }

    @Test
    void turnedOffItDoesNothing() {
        Remediation remediation = remediation(false);
        remediation.start();

        remediation.on(tableFull());

        verify(max, after(300).never()).set(org.mockito.ArgumentMatchers.any(), anyLong(), anyLong(), anyBoolean(), anyString());
    }

    @Test
    void theDropCounterRisingBetweenTwoReadsRaisesMaxOnceAsThePolicyWithTheEvidence() {
        when(max.writability()).thenReturn(Writability.YES);
        when(max.set(eq(Actor.policy("remediation")), eq(1000L), eq(1500L), eq(false), anyString())).thenReturn(change(false));
        dropsRead(5, 9);
        Remediation remediation = remediation(true);

        remediation.checkDrops();
        verifyNoInteractions(max);
        remediation.checkDrops();

        verify(max, times(1)).set(eq(Actor.policy("remediation")), eq(1000L), eq(1500L), eq(false),
                contains("drop counter rose from 5 to 9 in the agent's namespace: count 1000, max 1000"));
        verify(events).publish(eq(EventType.REMEDIATION), eq(Severity.WARNING),
                contains("raised nf_conntrack_max from 1000 to 1500 after drop counter rose from 5 to 9"), eq(null),
                eq("policy:remediation"), org.mockito.ArgumentMatchers.any());
        assertThat(registry.counter("ctagent.remediation.actions", "result", "applied").count()).isEqualTo(1);
    }

    @Test
    void aDropCounterThatDoesNotRiseChangesNothing() {
        when(max.writability()).thenReturn(Writability.YES);
        dropsRead(5, 5, 5);
        Remediation remediation = remediation(true);

        remediation.checkDrops();
        remediation.checkDrops();
        remediation.checkDrops();

        verify(usage, times(3)).stats(NetnsTarget.OWN);
        verifyNoInteractions(max, events);
        assertThat(registry.find("ctagent.remediation.actions").counters()).isEmpty();
    }

    @Test
    void aSecondRiseWithinTheCooldownMakesNoSecondChange() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T03:00:00Z"));
        when(max.writability()).thenReturn(Writability.YES);
        when(max.set(eq(Actor.policy("remediation")), eq(1000L), eq(1500L), eq(false), anyString())).thenReturn(change(false));
        dropsRead(5, 9, 20, 30);
        Remediation remediation = remediation(true, clock);

        remediation.checkDrops();
        remediation.checkDrops();
        clock.advance(Duration.ofSeconds(59));
        remediation.checkDrops();

        verify(max, times(1)).set(org.mockito.ArgumentMatchers.any(), anyLong(), anyLong(), anyBoolean(), anyString());

        // Past the cooldown the next rise acts again: the cooldown, not the counter, held the second one back.
        clock.advance(Duration.ofSeconds(2));
        remediation.checkDrops();

        verify(max, times(2)).set(org.mockito.ArgumentMatchers.any(), anyLong(), anyLong(), anyBoolean(), anyString());
        verify(max).set(eq(Actor.policy("remediation")), eq(1000L), eq(1500L), eq(false), contains("from 20 to 30"));
    }

    @Test
    void withAReadOnlyMaxSustainedDropsAreReportedOncePerCooldownNotEverySecond() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T03:00:00Z"));
        when(max.writability()).thenReturn(Writability.no("the agent runs outside the initial network namespace"));
        dropsRead(5, 9, 20, 30, 40);
        Remediation remediation = remediation(true, clock);

        sustainedDropsAreReportedOncePerCooldown(remediation, clock, "read_only");
    }

    /** Drops rising every second for 3 s, then after the cooldown: one critical report per cooldown, no change. */
    private void sustainedDropsAreReportedOncePerCooldown(Remediation remediation, MutableClock clock, String result) {
        remediation.checkDrops();
        for (int second = 0; second < 3; second++) {
            remediation.checkDrops();
            clock.advance(Duration.ofSeconds(1));
        }

        verify(events, times(1)).publish(eq(EventType.REMEDIATION), eq(Severity.CRITICAL), anyString(), eq(null),
                eq("policy:remediation"), org.mockito.ArgumentMatchers.any());
        assertThat(registry.counter("ctagent.remediation.actions", "result", result).count()).isEqualTo(1);

        // After the cooldown the still-full table is reported again.
        clock.advance(Duration.ofSeconds(60));
        remediation.checkDrops();
        verify(events, times(2)).publish(eq(EventType.REMEDIATION), eq(Severity.CRITICAL), anyString(), eq(null),
                eq("policy:remediation"), org.mockito.ArgumentMatchers.any());
        verify(max, never()).set(org.mockito.ArgumentMatchers.any(), anyLong(), anyLong(), anyBoolean(), anyString());
    }

    @Test
    void atTheCeilingWithAWritableMaxSustainedDropsAreReportedOncePerCooldownNotEverySecond() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T03:00:00Z"));
        when(max.writability()).thenReturn(Writability.YES);
        dropsRead(5, 9, 20, 30, 40);
        Remediation remediation = remediation(true, clock, 1000L, 1_000_000L); // max 1000 = ceiling

        sustainedDropsAreReportedOncePerCooldown(remediation, clock, "at_ceiling");
        assertThat(remediation.findings()).singleElement()
                .satisfies(finding -> assertThat(finding.id()).isEqualTo("remediation-at-ceiling"));
    }

    @Test
    void aRefusedChangeIsTriedAndReportedOncePerCooldownNotAtEveryDropCheck() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T03:00:00Z"));
        when(max.writability()).thenReturn(Writability.YES);
        when(max.set(org.mockito.ArgumentMatchers.any(), anyLong(), anyLong(), anyBoolean(), anyString()))
                .thenThrow(new io.ctagent.problem.OperatorProblem(org.springframework.http.HttpStatus.CONFLICT,
                        "guard-refused", "Refused", "more than the memory budget"));
        dropsRead(5, 9, 20, 30, 40, 50);
        Remediation remediation = remediation(true, clock);

        remediation.checkDrops();
        for (int second = 0; second < 3; second++) {
            remediation.checkDrops();
            clock.advance(Duration.ofSeconds(1));
        }

        verify(max, times(1)).set(org.mockito.ArgumentMatchers.any(), anyLong(), anyLong(), anyBoolean(), anyString());
        verify(events, times(1)).publish(eq(EventType.REMEDIATION), eq(Severity.CRITICAL),
                contains("more than the memory budget"), eq(null), eq("policy:remediation"),
                org.mockito.ArgumentMatchers.any());
        assertThat(registry.counter("ctagent.remediation.actions", "result", "failed").count()).isEqualTo(1);

        // After the cooldown it tries again.
        clock.advance(Duration.ofSeconds(60));
        remediation.checkDrops();
        verify(max, times(2)).set(org.mockito.ArgumentMatchers.any(), anyLong(), anyLong(), anyBoolean(), anyString());
    }

    @Test
    void aMaxCeilingAboveTheMemoryBudgetIsHeldToTheBudget() {
        when(max.writability()).thenReturn(Writability.YES);
        when(max.set(eq(Actor.policy("remediation")), eq(1000L), eq(1200L), eq(false), anyString()))
                .thenReturn(change(false));
        dropsRead(5, 9);
        Remediation remediation = remediation(true, Clock.systemUTC(), 1500L, 1200L);

        remediation.checkDrops();
        remediation.checkDrops();

        verify(max).set(eq(Actor.policy("remediation")), eq(1000L), eq(1200L), eq(false), anyString());
        verify(max, never()).set(org.mockito.ArgumentMatchers.any(), anyLong(), eq(1500L), anyBoolean(), anyString());
    }

    @Test
    void aTableFullMessageLoggedBeforeItStartedIsHistoryNotASignal() {
        when(max.writability()).thenReturn(Writability.YES);
        when(max.set(eq(Actor.policy("remediation")), eq(1000L), eq(1500L), eq(false), anyString()))
                .thenReturn(change(false));
        Remediation remediation = remediation(true);
        remediation.start();
        try {
            // As ctagent.monitor.kmsg-replay reports it: the kernel's time of a message from before start-up.
            remediation.on(new AgentEvent(1, Instant.now().minus(Duration.ofMinutes(10)), EventType.TABLE_FULL,
                    Severity.CRITICAL, "nf_conntrack: table full, dropping packet", null, null, "kmsg"));
            verify(max, after(300).never()).set(org.mockito.ArgumentMatchers.any(), anyLong(), anyLong(),
                    anyBoolean(), anyString());

            remediation.on(new AgentEvent(2, Instant.now(), EventType.TABLE_FULL, Severity.CRITICAL,
                    "nf_conntrack: table full, dropping packet", null, null, "kmsg"));
            verify(max, timeout(2000)).set(eq(Actor.policy("remediation")), eq(1000L), eq(1500L), eq(false),
                    anyString());
        } finally {
            remediation.stop();
        }
    }
}
