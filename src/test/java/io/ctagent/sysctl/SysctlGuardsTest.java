package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

import io.ctagent.monitor.NetnsInventory;
import io.ctagent.monitor.NetnsSummary;
import io.ctagent.monitor.NetnsSummary.ProcessSummary;
import io.ctagent.problem.InvalidInput;
import io.ctagent.problem.OperatorProblem;
import io.ctagent.security.Role;
import io.ctagent.sysctl.SysctlGuards.Requested;
import io.ctagent.tuning.HostMemory;
import io.ctagent.usage.SamplerProperties;
import io.ctagent.monitor.NetnsHistoryPoint;
import io.ctagent.monitor.NetnsHistoryWindow;
import io.ctagent.monitor.NetnsSampler;

/** The max guard across namespaces: what GET /api/v1/netns shows decides, not the agent's own count. */
class SysctlGuardsTest {

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
    }

    static void as(Role role) {
        SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                "caller", null, List.of(new SimpleGrantedAuthority(role.authority()))));
    }

    static final NetnsSummary OWN = new NetnsSummary(4026531840L, null, true, 50L, 0.02, "pid 1", 90,
            List.of(new ProcessSummary(1, "systemd", null)));
    static final NetnsSummary LAB = new NetnsSummary(4026532999L, "lab-ab12", false, 300L, 0.1, "nsenter", 1,
            List.of(new ProcessSummary(4242, "nginx", "3f2a9c0d1e2b3f2a9c0d1e2b3f2a9c0d1e2b3f2a9c0d1e2b3f2a9c0d1e2b3f2a")));

    /** An inventory that lists these namespaces. */
    static NetnsInventory namespaces(NetnsSummary... listed) {
        NetnsInventory inventory = mock(NetnsInventory.class);
        given(inventory.list()).willReturn(List.of(listed));
        return inventory;
    }

    /** A namespace sampler whose history peaked at {@code peak} entries in namespace lab-ab12. */
    static NetnsSampler history(long peak) {
        NetnsSampler history = mock(NetnsSampler.class);
        given(history.properties()).willReturn(new SamplerProperties(Duration.ofSeconds(5), Duration.ofHours(1)));
        Instant now = Instant.parse("2026-12-07T03:00:00Z");
        given(history.window(any(), any())).willReturn(new NetnsHistoryWindow(Duration.ofHours(1),
                Duration.ofSeconds(5), null, List.of(
                        new NetnsHistoryPoint(now, 262144, 2, LAB.inode(), "lab-ab12", peak / 2, null, null, null, null,
                                null),
                        new NetnsHistoryPoint(now.plusSeconds(5), 262144, 2, LAB.inode(), "lab-ab12", peak, null, null,
                                null, null, null),
                        new NetnsHistoryPoint(now.plusSeconds(10), 262144, 0, null, null, null, null, null, null, null,
                                null))));
        return history;
    }

    private static SysctlGuards guards(NetnsInventory inventory, NetnsSampler history, long ownCount) {
        SysctlReader reader = mock(SysctlReader.class);
        given(reader.values(any(), anyList())).willReturn(Map.of(SysctlKey.COUNT, ownCount));
        HostMemory memory = mock(HostMemory.class);
        given(memory.objectSize()).willReturn(320);
        given(memory.budgetBytes()).willReturn(Long.MAX_VALUE);
        return new SysctlGuards(reader, memory, inventory, history);
    }

    private static List<Requested> max(long value) {
        return List.of(new Requested(SysctlKey.MAX, value));
    }

    @Test
    void aMaxBelowAnotherNamespacesCountIsRefusedNamingIt() {
        SysctlGuards guards = guards(namespaces(LAB, OWN), history(0), 50);

        assertThatThrownBy(() -> guards.check(max(250), Map.of(SysctlKey.MAX, 262144L), false, null))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
                    assertThat(problem.getBody().getDetail()).contains("below the 300 entries tracked now in "
                            + "namespace lab-ab12 (inode 4026532999, nginx pid 4242 container 3f2a9c0d1e2b)")
                            .doesNotContain("own namespace");
                    assertThat(problem.getBody().getProperties().get("namespaces")).isEqualTo(List.of(LAB));
                });
    }

    @Test
    void withForceAndAReasonAnAdminPassesWithAWarning() {
        SysctlGuards guards = guards(namespaces(LAB, OWN), history(0), 50);
        as(Role.ADMIN);

        assertThatThrownBy(() -> guards.check(max(250), Map.of(), true, null)).isInstanceOf(InvalidInput.class);
        assertThat(guards.check(max(250), Map.of(), true, "drill")).singleElement().asString()
                .startsWith("Forced past a guard (drill): ").contains("lab-ab12");
    }

    @Test
    void anOperatorCannotForcePastAGuard() {
        SysctlGuards guards = guards(namespaces(LAB, OWN), history(0), 50);
        as(Role.OPERATOR);

        assertThatThrownBy(() -> guards.check(max(1), Map.of(), true, "drill"))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("needs role admin");
    }

    @Test
    void aMaxEqualToTheFullestCountIsAFullTableAndRefusedOneAboveIsNot() {
        SysctlGuards guards = guards(namespaces(LAB, OWN), history(0), 50);

        assertThatThrownBy(() -> guards.check(max(300), Map.of(SysctlKey.MAX, 262144L), false, null))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> assertThat(problem.getBody().getDetail())
                        .contains("300 is at or below the 300 entries tracked now in namespace lab-ab12"));
        assertThat(guards.check(max(301), Map.of(SysctlKey.MAX, 262144L), false, null)).singleElement().asString()
                .as("above the count, but with little room: a warning").contains("leaves 1 free entries");
        assertThat(guards.check(max(100_000), Map.of(SysctlKey.MAX, 262144L), false, null)).isEmpty();
    }

    @Test
    void fewerBucketsThanAnEighthOfMaxAreRefusedAndAMildShrinkIsNot() {
        SysctlGuards guards = guards(namespaces(LAB, OWN), history(0), 50);
        Map<SysctlKey, Long> before = Map.of(SysctlKey.BUCKETS, 65536L, SysctlKey.MAX, 262144L);

        assertThatThrownBy(() -> guards.check(List.of(new Requested(SysctlKey.BUCKETS, 1)), before, false, null))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> assertThat(problem.getBody().getDetail())
                        .contains("262144 entries per bucket at nf_conntrack_max = 262144",
                                "Keep at least max / 8 = 32768 buckets"));
        assertThatThrownBy(() -> guards.check(List.of(new Requested(SysctlKey.BUCKETS, 32767)), before, false, null))
                .isInstanceOf(OperatorProblem.class);
        assertThat(guards.check(List.of(new Requested(SysctlKey.BUCKETS, 32768)), before, false, null)).isEmpty();
        // The max of the same batch counts, not the current one.
        assertThat(guards.check(List.of(new Requested(SysctlKey.MAX, 8192), new Requested(SysctlKey.BUCKETS, 1024)),
                before, false, null)).isEmpty();
    }

    @Test
    void whatEveryTcpPacketFallsUnderOnceMaxRetransIsZeroHasAFloorToo() {
        SysctlGuards guards = guards(namespaces(LAB, OWN), history(0), 50);
        SysctlKey retrans = SysctlKey.parse("key", "net.netfilter.nf_conntrack_tcp_max_retrans");
        SysctlKey retransTimeout = SysctlKey.parse("key", "net.netfilter.nf_conntrack_tcp_timeout_max_retrans");
        SysctlKey unacknowledged = SysctlKey.parse("key", "net.netfilter.nf_conntrack_tcp_timeout_unacknowledged");
        Map<SysctlKey, Long> before = Map.of(retrans, 3L, retransTimeout, 300L, unacknowledged, 300L);

        assertThatThrownBy(() -> guards.check(List.of(new Requested(retrans, 0), new Requested(retransTimeout, 1)),
                before, false, null)).isInstanceOfSatisfying(OperatorProblem.class, problem -> assertThat(
                        problem.getBody().getProperties().get("guards")).asList().hasSize(2));
        assertThatThrownBy(() -> guards.check(List.of(new Requested(unacknowledged, 1)), before, false, null))
                .isInstanceOf(OperatorProblem.class);
        assertThat(guards.check(List.of(new Requested(retrans, 3), new Requested(retransTimeout, 60),
                new Requested(unacknowledged, 60)), before, false, null)).isEmpty();
    }

    @Test
    void raisingMaxPastEightEntriesPerBucketIsAWarningNotARefusal() {
        SysctlGuards guards = guards(namespaces(LAB, OWN), history(0), 50);
        Map<SysctlKey, Long> before = Map.of(SysctlKey.MAX, 262144L, SysctlKey.BUCKETS, 65536L);

        assertThat(guards.check(max(2_000_000), before, false, null)).singleElement().asString()
                .contains("31 entries per bucket at 65536 buckets", "PUT /api/v1/hashsize, at least 250000");
        assertThat(guards.check(max(524288), before, false, null)).isEmpty();
    }

    @Test
    void anEstablishedTimeoutBelowTheRunbooksIsRefusedAndTheRunbooksValueIsNot() {
        SysctlGuards guards = guards(namespaces(LAB, OWN), history(0), 50);
        SysctlKey established = SysctlKey.parse("key", "net.netfilter.nf_conntrack_tcp_timeout_established");
        SysctlKey stream = SysctlKey.parse("key", "net.netfilter.nf_conntrack_udp_timeout_stream");
        Map<SysctlKey, Long> before = Map.of(established, 432000L, stream, 120L);

        assertThatThrownBy(() -> guards.check(List.of(new Requested(established, 1)), before, false, null))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> assertThat(problem.getBody().getDetail())
                        .contains("= 1 s is below 300 s", "NAT mapping"));
        assertThatThrownBy(() -> guards.check(List.of(new Requested(stream, 5)), before, false, null))
                .isInstanceOf(OperatorProblem.class);
        assertThat(guards.check(List.of(new Requested(established, 300), new Requested(stream, 30)), before, false,
                null)).isEmpty();
    }

    @Test
    void belowTheSampledPeakIsAWarningNotARefusal() {
        SysctlGuards guards = guards(namespaces(LAB, OWN), history(5000), 50);

        assertThat(guards.check(max(4000), Map.of(SysctlKey.MAX, 262144L), false, null)).singleElement().asString()
                .contains("below the peak of 5000 entries", "in namespace lab-ab12", "60 min");
        assertThat(guards.check(max(5000), Map.of(SysctlKey.MAX, 262144L), false, null)).isEmpty();
    }

    @Test
    void theAgentsOwnCountGuardsWhenTheInventoryCannotBeRead() {
        NetnsInventory broken = mock(NetnsInventory.class);
        given(broken.list()).willThrow(new IllegalStateException("no /proc"));
        SysctlGuards guards = guards(broken, history(0), 700);

        assertThatThrownBy(() -> guards.check(max(600), Map.of(), false, null))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> assertThat(problem.getBody().getDetail())
                        .contains("below the 700 entries tracked now in the agent's own namespace"));
    }

    @Test
    void otherKeysAreNotMeasuredAgainstNamespaces() {
        SysctlGuards guards = guards(namespaces(LAB, OWN), history(5000), 50);

        assertThat(guards.check(List.of(new Requested(SysctlKey.parse("key",
                "net.netfilter.nf_conntrack_udp_timeout"), 10)), Map.of(), false, null)).isEmpty();
    }
}
