package io.ctagent.entries;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;

import io.ctagent.audit.AuditLog;
import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.MutableClock;
import io.ctagent.testsupport.TestPipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.springframework.http.HttpStatus;

import io.ctagent.hostagent.CommandResult;
import io.ctagent.hostagent.EffectiveMode;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Tool;
import io.ctagent.problem.InvalidInput;
import io.ctagent.problem.OperatorProblem;

/** The flush pipeline with the host mocked: what is validated, what runs, what is reported. */
class FlushServiceTest {

    private static final NetnsTarget LAB = NetnsTarget.parse("lab1");
    private static final List<String> CONNTRACK = List.of("/usr/sbin/conntrack");

    private final MutableClock clock = new MutableClock(java.time.Instant.parse("2026-12-07T03:00:00Z"));
    private HostAgent host;
    private ConntrackTable table;
    private EntryService entries;
    private FlushService flush;

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path temp;
    java.nio.file.Path auditFile;

    @BeforeEach
    void mocks() {
        auditFile = temp.resolve("audit.jsonl");
        host = mock(HostAgent.class);
        table = mock(ConntrackTable.class);
        entries = mock(EntryService.class);
        given(host.mode()).willReturn(EffectiveMode.DIRECT);
        given(host.argv(any(), eq(Tool.CONNTRACK), anyList())).willAnswer(call -> {
            List<String> argv = new java.util.ArrayList<>(CONNTRACK);
            argv.addAll(call.getArgument(2));
            return argv;
        });
        flush = new FlushService(host, table, entries, new EntriesProperties(TableSource.Choice.AUTO,
                Duration.ofSeconds(5), Duration.ofSeconds(5), 1000, 2),
                TestPipeline.of(AuditLog.toFile(auditFile, () -> "DIRECT", java.time.Clock.systemUTC()), host),
                new FlushGuard(entries, new FlushProperties(0.5, null, Duration.ofMinutes(10)), clock));
        clearInvocations(host); // wiring the pipeline's writer asks for the roots; no test is about that
        given(entries.share(any(), any())).willReturn(new FlushShare(0, 300));
    }

    static FlushRequest request(FilterParams filter, Boolean dryRun, Boolean all) {
        return new FlushRequest(filter, dryRun, all, null);
    }

    static FilterParams udp53() {
        return EntryFilterTest.params(Map.of("protocol", "udp", "dport", "53"));
    }

    private void conntrackSays(int exit, String stderr) {
        given(host.runDiscardingStdout(eq(LAB), eq(Tool.CONNTRACK), anyList(), any())).willAnswer(call -> {
            List<String> argv = new java.util.ArrayList<>(CONNTRACK);
            argv.addAll(call.getArgument(2));
            return new CommandResult(argv, exit, "", stderr, 12, false, false);
        });
    }

    @Test
    void aFilteredDeleteRunsConntrackDWithTheFilterAndReportsItsCount() throws Exception {
        given(table.count(LAB)).willReturn(300L, 288L);
        given(entries.countMatching(eq(LAB), any())).willReturn(0L);
        conntrackSays(0, "conntrack v1.4.7 (conntrack-tools): 12 flow entries have been deleted.\n");

        FlushResult result = flush.flush(LAB, request(udp53(), null, null), null);

        verify(host).runDiscardingStdout(eq(LAB), eq(Tool.CONNTRACK),
                eq(List.of("-D", "-p", "udp", "--dport", "53")), eq(Duration.ofSeconds(5)));
        assertThat(result.matched()).isEqualTo(12);
        assertThat(result.deleted()).isEqualTo(12);
        assertThat(result.applied()).isTrue();
        assertThat(result.dryRun()).isFalse();
        assertThat(result.before()).isEqualTo(new FlushResult.TableState(300, null));
        assertThat(result.after()).isEqualTo(new FlushResult.TableState(288, 0L));
        assertThat(result.commands()).containsExactly(List.of("/usr/sbin/conntrack", "-D", "-p", "udp", "--dport",
                "53"));
        assertThat(result.filter()).containsEntry("dport", "53");
        assertThat(result.auditId()).isNotNull();
        assertThat(result.warnings()).isEmpty();
        String audit = java.nio.file.Files.readString(auditFile);
        assertThat(audit).contains("\"action\":\"conntrack.delete\"", "\"result\":\"APPLIED\"",
                result.auditId());
    }

    @Test
    void whenTheOutcomeIsLostAnAppliedDeleteAnswersWithAWarningAndTheIntentId() {
        AuditTrail trail = AuditTrail.inTempDir("ctagent-flush-audit");
        FlushService losing = new FlushService(host, table, entries, new EntriesProperties(TableSource.Choice.AUTO,
                Duration.ofSeconds(5), Duration.ofSeconds(5), 1000, 2),
                TestPipeline.of(trail.losingOutcomes(Mockito.spy(trail.log())), host),
                new FlushGuard(entries, new FlushProperties(0.5, null, Duration.ofMinutes(10)), clock));
        given(table.count(LAB)).willReturn(300L, 288L);
        given(entries.countMatching(eq(LAB), any())).willReturn(0L);
        conntrackSays(0, "conntrack v1.4.7 (conntrack-tools): 12 flow entries have been deleted.\n");

        FlushResult result = losing.flush(LAB, request(udp53(), null, null), null);

        assertThat(result.applied()).isTrue();
        assertThat(result.deleted()).isEqualTo(12);
        assertThat(result.warnings()).anyMatch(warning -> warning.contains("outcome could not be written"));
        assertThat(trail.records()).singleElement().satisfies(intent -> {
            assertThat(intent.path("phase").asString()).isEqualTo("intent");
            assertThat(result.auditId()).isEqualTo(intent.path("id").asString());
        });
    }

    @Test
    void withoutAnAuditRecordNothingIsDeleted() throws Exception {
        java.nio.file.Files.delete(auditFile);
        java.nio.file.Files.delete(temp);

        assertThatThrownBy(() -> flush.flush(LAB, request(udp53(), null, null), null))
                .isInstanceOfSatisfying(io.ctagent.problem.OperatorProblem.class,
                        problem -> assertThat(problem.getStatusCode().value()).isEqualTo(503));
        verify(host, never()).runDiscardingStdout(any(), any(), anyList(), any());
    }

    @Test
    void theWholeTableNeedsTheAdminRoleEvenWithTheHeader() {
        SecurityContextHolder.getContext().setAuthentication(
                new TestingAuthenticationToken("ops", null, "ROLE_OPERATOR"));
        try {
            assertThatThrownBy(() -> flush.flush(LAB, request(null, null, true), "flush-all"))
                    .isInstanceOf(AccessDeniedException.class);
            verify(host, never()).runDiscardingStdout(any(), any(), anyList(), any());
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    @Test
    void nothingToDeleteIsExit1ForConntrackButNotAFailure() {
        given(table.count(LAB)).willReturn(5L);
        conntrackSays(1, "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n");

        FlushResult result = flush.flush(LAB, request(udp53(), false, null), null);

        assertThat(result.deleted()).isZero();
        assertThat(result.applied()).isTrue();
    }

    @Test
    void whenConntrackDiesMidwayTheProblemSaysHowManyItHadDeleted() {
        given(table.count(LAB)).willReturn(5L, 3L);
        CommandResult[] seen = new CommandResult[1];
        given(host.commandFailed(any(), any())).willAnswer(call -> {
            seen[0] = call.getArgument(0);
            return new OperatorProblem(HttpStatus.BAD_GATEWAY, "host-command-failed", "Host command failed",
                    call.getArgument(1));
        });
        conntrackSays(1, "conntrack v1.4.7 (conntrack-tools): Operation failed: such conntrack doesn't exist\n");

        assertThatThrownBy(() -> flush.flush(LAB, request(udp53(), null, null), null))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getBody().getDetail()).contains("about 2 deleted before it stopped");
                    assertThat(problem.getBody().getProperties()).containsEntry("deleted", 2L);
                });
        verify(entries, never()).countMatching(any(), any());
    }

    @Test
    void whatADeleteRemovedBeforeItDiedCountsInTheWindow() {
        given(table.count(LAB)).willReturn(5L, 3L);
        given(host.commandFailed(any(), any())).willAnswer(call -> new OperatorProblem(HttpStatus.BAD_GATEWAY,
                "host-command-failed", "Host command failed", call.getArgument(1)));
        conntrackSays(1, "conntrack v1.4.7 (conntrack-tools): Operation failed: such conntrack doesn't exist\n");
        assertThatThrownBy(() -> as("ROLE_OPERATOR", () -> flush.flush(LAB, request(udp53(), null, null), null)))
                .isInstanceOf(OperatorProblem.class);

        // Half of what is left is 2 of 4 alone, but 4 of 6 with the 2 the failed delete removed.
        given(entries.share(eq(LAB), any())).willReturn(new FlushShare(2, 4));
        assertThatThrownBy(() -> as("ROLE_OPERATOR", () -> flush.flush(LAB, request(udp53(), null, null), null)))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> assertThat(problem.getBody().getDetail())
                        .contains("4 of 6", "counting the 2 entries deleted"));
    }

    @Test
    void withoutConntrackSummaryTheShrinkageIsTheCountAndSaysSo() {
        given(table.count(LAB)).willReturn(10L, 4L);
        given(entries.countMatching(eq(LAB), any())).willReturn(0L);
        conntrackSays(0, "");

        FlushResult result = flush.flush(LAB, request(udp53(), null, null), null);

        assertThat(result.deleted()).isEqualTo(6);
        assertThat(result.warnings()).anyMatch(w -> w.contains("count before minus the count after"));
    }

    @Test
    void matchesLeftRightAfterTheDeleteAreWarnedAbout() {
        given(table.count(LAB)).willReturn(10L, 3L);
        given(entries.countMatching(eq(LAB), any())).willReturn(2L);
        conntrackSays(0, "conntrack v1.4.7 (conntrack-tools): 7 flow entries have been deleted.\n");

        FlushResult result = flush.flush(LAB, request(udp53(), null, null), null);

        assertThat(result.after().matching()).isEqualTo(2);
        assertThat(result.warnings()).anyMatch(w -> w.contains("2 entries match the filter again"));
    }

    @Test
    void aDryRunCountsAndPlansButRunsNothing() {
        given(table.count(LAB)).willReturn(300L);
        given(entries.share(eq(LAB), any())).willReturn(new FlushShare(40, 300));

        FlushResult result = flush.flush(LAB, request(udp53(), true, null), null);

        verify(host, never()).runDiscardingStdout(any(), any(), anyList(), any());
        verify(host, never()).run(any(), any(), anyList());
        assertThat(result.dryRun()).isTrue();
        assertThat(result.applied()).isFalse();
        assertThat(result.matched()).isEqualTo(40);
        assertThat(result.deleted()).isZero();
        assertThat(result.before()).isEqualTo(new FlushResult.TableState(300, 40L));
        assertThat(result.after()).isEqualTo(new FlushResult.TableState(260, 0L));
        assertThat(result.commands()).containsExactly(List.of("/usr/sbin/conntrack", "-D", "-p", "udp", "--dport",
                "53"));
    }

    @Test
    void inDryRunModeEveryFlushIsADryRun() {
        given(host.mode()).willReturn(EffectiveMode.DRY_RUN);
        given(table.count(LAB)).willReturn(300L);

        FlushResult result = flush.flush(LAB, request(udp53(), false, null), null);

        verify(host, never()).runDiscardingStdout(any(), any(), anyList(), any());
        assertThat(result.dryRun()).isTrue();
        assertThat(result.warnings()).anyMatch(w -> w.contains("dry-run mode"));
    }

    @Test
    void aReadOnlyAgentRefusesWith503ButStillAnswersDryRuns() {
        given(host.mode()).willReturn(EffectiveMode.READ_ONLY);
        given(table.count(LAB)).willReturn(1L);

        assertThatThrownBy(() -> flush.flush(LAB, request(udp53(), null, null), null))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        p -> assertThat(p.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE));
        assertThat(flush.flush(LAB, request(udp53(), true, null), null).dryRun()).isTrue();
        verify(host, never()).runDiscardingStdout(any(), any(), anyList(), any());
    }

    @Test
    void aRefusalBeforeTheIntentIsAuditedOnceAsFailedButAnAdminDenialIsLeftToSpringSecurity() throws Exception {
        given(host.mode()).willReturn(EffectiveMode.READ_ONLY);

        assertThatThrownBy(() -> flush.flush(LAB, request(udp53(), null, null), null))
                .isInstanceOf(OperatorProblem.class);

        List<String> lines = java.nio.file.Files.readAllLines(auditFile);
        assertThat(lines).singleElement().asString().contains("\"phase\":\"rejected\"", "\"result\":\"FAILED\"",
                "\"action\":\"conntrack.delete\"", "\"target\":\"netns:lab1/conntrack\"",
                "\"reason\":\"read-only-mode: ");
        given(host.mode()).willReturn(EffectiveMode.DIRECT);
        SecurityContextHolder.getContext().setAuthentication(
                new TestingAuthenticationToken("ops", null, "ROLE_OPERATOR"));
        try {
            assertThatThrownBy(() -> flush.flush(LAB, request(null, null, true), "flush-all"))
                    .isInstanceOf(AccessDeniedException.class);
        } finally {
            SecurityContextHolder.clearContext();
        }
        assertThat(java.nio.file.Files.readAllLines(auditFile)).hasSize(1);
    }

    @Test
    void theWholeTableNeedsTheConfirmationHeader() {
        assertThatThrownBy(() -> flush.flush(LAB, request(null, null, true), null))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("X-Confirm"));
        assertThatThrownBy(() -> flush.flush(LAB, request(null, null, true), "yes"))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("X-Confirm"));
        verifyNoInteractions(host, table, entries);
    }

    @Test
    void theWholeTableWithTheHeaderIsConntrackF() {
        SecurityContextHolder.getContext().setAuthentication(new TestingAuthenticationToken("root", null, "ROLE_ADMIN"));
        given(table.count(LAB)).willReturn(500L, 3L);
        conntrackSays(0, "conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n");

        FlushResult result = flush.flush(LAB, request(null, null, true), "flush-all");

        verify(host).runDiscardingStdout(eq(LAB), eq(Tool.CONNTRACK), eq(List.of("-F")), any());
        assertThat(result.all()).isTrue();
        assertThat(result.matched()).isEqualTo(500);
        assertThat(result.deleted()).isEqualTo(497);
        assertThat(result.filter()).isEmpty();
        assertThat(result.warnings()).anyMatch(w -> w.contains("conntrack -F reports no count"));
        SecurityContextHolder.clearContext();
    }

    @Test
    void allAndAFilterTogetherAreRefused() {
        assertThatThrownBy(() -> flush.flush(LAB, request(udp53(), null, true), "flush-all"))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("all"));
        verifyNoInteractions(host, table, entries);
    }

    @Test
    void badInputChangesNothingAndNamesTheField() {
        Map<String, String> bad = Map.of("dport", "22;rm");
        assertThatThrownBy(() -> flush.flush(LAB, request(EntryFilterTest.params(bad), null, null), null))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("dport"));
        assertThatThrownBy(() -> flush.flush(LAB, request(null, null, null), null))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("filter"));
        assertThatThrownBy(() -> flush.flush(LAB, new FlushRequest(udp53(), null, null,
                new java.util.HashMap<>(Map.of("dryrun", true))), null))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("dryrun"));
        assertThatThrownBy(() -> flush.flush(LAB, request(EntryFilterTest.params(Map.of("status", "UNREPLIED")),
                null, null), null))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("status"));
        verifyNoInteractions(host, table, entries);
    }

    @Test
    void readsTheDeletedCountFromConntrackSummary() {
        assertThat(DeleteReport.deleted("conntrack v1.4.7 (conntrack-tools): 250000 flow entries have been "
                + "deleted.\n")).hasValue(250000);
        assertThat(DeleteReport.deleted("conntrack v1.4.7 (conntrack-tools): Operation failed")).isEmpty();
        assertThat(DeleteReport.succeeded(1, false, java.util.OptionalLong.of(0))).isTrue();
        assertThat(DeleteReport.succeeded(1, false, java.util.OptionalLong.empty())).isFalse();
        assertThat(DeleteReport.succeeded(0, true, java.util.OptionalLong.of(3))).isFalse();
    }

    @Test
    void deletesRunOneAtATime() throws Exception {
        given(table.count(LAB)).willReturn(10L);
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        given(host.runDiscardingStdout(eq(LAB), eq(Tool.CONNTRACK), anyList(), any())).willAnswer(call -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.sleep(200);
            running.decrementAndGet();
            return new CommandResult(List.of("conntrack"), 0, "", "1 flow entries have been deleted.", 200, false,
                    false);
        });
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<FlushResult>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                results.add(pool.submit(() -> flush.flush(LAB, request(udp53(), null, null), null)));
            }
            for (java.util.concurrent.Future<FlushResult> result : results) {
                assertThat(result.get().deleted()).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(most.get()).isEqualTo(1);
    }

    private static <T> T as(String role, java.util.function.Supplier<T> call) {
        SecurityContextHolder.getContext().setAuthentication(new TestingAuthenticationToken("caller", null, role));
        try {
            return call.get();
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    @Test
    void aFilterRemovingMoreThanHalfTheTableIsRefusedWith409AndDeletesNothing() throws Exception {
        given(entries.share(eq(LAB), any())).willReturn(new FlushShare(186, 300));

        assertThatThrownBy(() -> as("ROLE_OPERATOR", () -> flush.flush(LAB, request(udp53(), null, null), null)))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
                    assertThat(problem.getBody().getProperties()).containsEntry("matched", 186L)
                            .containsEntry("total", 300L).containsEntry("share", 0.62)
                            .containsEntry("send", Map.of("role", "admin", "X-Confirm", "flush-all"));
                    assertThat(problem.getBody().getDetail()).contains("186 of 300", "62.0 %", "X-Confirm: flush-all");
                });
        verify(host, never()).runDiscardingStdout(any(), any(), anyList(), any());
        assertThat(java.nio.file.Files.readAllLines(auditFile)).singleElement().asString()
                .contains("\"result\":\"FAILED\"", "flush-needs-confirmation");
    }

    @Test
    void theConfirmationHeaderAloneIsNotEnoughNorIsTheAdminRoleAlone() {
        given(entries.share(eq(LAB), any())).willReturn(new FlushShare(300, 300));

        assertThatThrownBy(() -> as("ROLE_OPERATOR", () -> flush.flush(LAB, request(udp53(), null, null),
                "flush-all"))).isInstanceOfSatisfying(OperatorProblem.class,
                problem -> assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.CONFLICT));
        assertThatThrownBy(() -> as("ROLE_ADMIN", () -> flush.flush(LAB, request(udp53(), null, null), null)))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        problem -> assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.CONFLICT));
        verify(host, never()).runDiscardingStdout(any(), any(), anyList(), any());
    }

    @Test
    void anAdminWithTheConfirmationDeletesAndTheAnswerSaysItNeededIt() {
        given(entries.share(eq(LAB), any())).willReturn(new FlushShare(300, 300));
        given(table.count(LAB)).willReturn(300L, 0L);
        conntrackSays(0, "conntrack v1.4.7 (conntrack-tools): 300 flow entries have been deleted.\n");

        FlushResult result = as("ROLE_ADMIN", () -> flush.flush(LAB, request(udp53(), null, null), "flush-all"));

        assertThat(result.deleted()).isEqualTo(300);
        assertThat(result.confirmationRequired()).isTrue();
    }

    @Test
    void exactlyTheShareIsDeletedWithoutConfirmation() {
        given(entries.share(eq(LAB), any())).willReturn(new FlushShare(150, 300));
        given(table.count(LAB)).willReturn(300L, 150L);
        conntrackSays(0, "conntrack v1.4.7 (conntrack-tools): 150 flow entries have been deleted.\n");

        FlushResult result = as("ROLE_OPERATOR", () -> flush.flush(LAB, request(udp53(), null, null), null));

        assertThat(result.deleted()).isEqualTo(150);
        assertThat(result.confirmationRequired()).isFalse();
    }

    @Test
    void aDryRunAlwaysAnswersAndSaysWhetherTheRealCallNeedsConfirmation() {
        given(entries.share(eq(LAB), any())).willReturn(new FlushShare(200, 300));
        given(table.count(LAB)).willReturn(300L);

        FlushResult result = as("ROLE_OPERATOR", () -> flush.flush(LAB, request(udp53(), true, null), null));

        assertThat(result.dryRun()).isTrue();
        assertThat(result.matched()).isEqualTo(200);
        assertThat(result.confirmationRequired()).isTrue();
        assertThat(result.warnings()).anyMatch(w -> w.contains("200 of 300") && w.contains("X-Confirm: flush-all"));
        verify(host, never()).runDiscardingStdout(any(), any(), anyList(), any());
    }

    @Test
    void deletesWithoutConfirmationAddUpInTheWindowSoATableCannotBeDrainedInSlices() {
        // 64 entries; each delete takes exactly half of what is left, which alone needs no confirmation.
        given(entries.share(eq(LAB), any())).willReturn(new FlushShare(32, 64), new FlushShare(16, 32),
                new FlushShare(16, 32));
        given(table.count(LAB)).willReturn(64L, 32L);
        conntrackSays(0, "conntrack v1.4.7 (conntrack-tools): 32 flow entries have been deleted.\n");
        assertThat(as("ROLE_OPERATOR", () -> flush.flush(LAB, request(udp53(), null, null), null)).deleted())
                .isEqualTo(32);

        assertThatThrownBy(() -> as("ROLE_OPERATOR", () -> flush.flush(LAB, request(udp53(), null, null), null)))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
                    assertThat(problem.getBody().getDetail()).contains("48 of 64", "75.0 %",
                            "counting the 32 entries deleted from this namespace without confirmation in the last 10 min");
                });
        verify(host, times(1)).runDiscardingStdout(any(), any(), anyList(), any());

        // Past the window each delete is judged alone again; another namespace never counted.
        clock.advance(Duration.ofMinutes(11));
        given(table.count(LAB)).willReturn(32L, 16L);
        conntrackSays(0, "conntrack v1.4.7 (conntrack-tools): 16 flow entries have been deleted.\n");
        assertThat(as("ROLE_OPERATOR", () -> flush.flush(LAB, request(udp53(), null, null), null)).deleted())
                .isEqualTo(16);
    }

    @Test
    void theCountLimitAppliesWhateverTheShare() {
        flush = new FlushService(host, table, entries, new EntriesProperties(TableSource.Choice.AUTO,
                Duration.ofSeconds(5), Duration.ofSeconds(5), 1000, 2),
                TestPipeline.of(AuditLog.toFile(auditFile, () -> "DIRECT", java.time.Clock.systemUTC()), host),
                new FlushGuard(entries, new FlushProperties(0.5, 100L, Duration.ofMinutes(10)), clock));
        given(entries.share(eq(LAB), any())).willReturn(new FlushShare(101, 100_000));

        assertThatThrownBy(() -> as("ROLE_OPERATOR", () -> flush.flush(LAB, request(udp53(), null, null), null)))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> assertThat(problem.getBody().getDetail())
                        .contains("confirm-count"));
        verify(host, never()).runDiscardingStdout(any(), any(), anyList(), any());
    }
}
