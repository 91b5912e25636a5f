package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.hostagent.HostMode;
import io.ctagent.hostagent.NetnsTarget;

class NotrackReconcilerTest {

    @TempDir
    Path temp;

    private static NotrackRequest udp(int port) {
        return NotrackRequest.of(null, null, "udp", port, null, null, null, null, null, null);
    }

    @Test
    void rulesTheKernelLostAreReCreatedAndTheDriftIsPublished() throws Exception {
        NotrackFixture fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.NFTABLES);
        Files.createFile(temp.resolve("run/netns/lab1"));
        NetnsTarget lab = NetnsTarget.parse("lab1");
        String id = fixture.service.create(lab, udp(53), false).after().id();
        fixture.kernel.flush();
        fixture.runner.clear();

        fixture.reconciler.reconcileAll();

        assertThat(fixture.kernel.nft).extracting(FakeKernel.NftRule::comment).containsExactly("ctagent:" + id,
                "ctagent:" + id);
        assertThat(fixture.changes()).singleElement()
                .satisfies(call -> assertThat(call.stdin()).startsWith("add table inet conntrack_agent"));
        assertThat(fixture.events).containsExactly(new NotrackDriftDetected("lab1", "nftables", java.util.List.of(id),
                true, NotrackFixture.CLOCK.instant()));
        ReconcileReport report = fixture.reconciler.lastReport(lab);
        assertThat(report.missing()).containsExactly(id);
        assertThat(report.restored()).isTrue();
        assertThat(fixture.service.list(lab, false).lastReconcile()).isEqualTo(report);
    }

    @Test
    void theReCreationIsAuditedWithTheActorSystem() {
        NotrackFixture fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.NFTABLES);
        String id = fixture.service.create(NetnsTarget.OWN, udp(53), false).after().id();
        fixture.kernel.flush();
        int before = fixture.trail.records().size();

        fixture.reconciler.reconcile(NetnsTarget.OWN);

        java.util.List<tools.jackson.databind.JsonNode> records = fixture.trail.records();
        assertThat(records.subList(before, records.size())).hasSize(2).allSatisfy(record -> {
            assertThat(record.path("action").asString()).isEqualTo("notrack.reconcile");
            assertThat(record.path("actor").asString()).isEqualTo("system");
        });
        tools.jackson.databind.JsonNode outcome = records.get(records.size() - 1);
        assertThat(outcome.path("result").asString()).isEqualTo("APPLIED");
        assertThat(outcome.path("target").asString()).endsWith("/notrack/" + id);
        assertThat(outcome.path("commands")).isNotEmpty();
    }

    @Test
    void onlyTheMissingCopyIsAddedAndNothingIsDeleted() {
        NotrackFixture fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.IPTABLES);
        String id = fixture.service.create(NetnsTarget.OWN, udp(53), false).after().id();
        fixture.kernel.lines.get("ip6tables").removeIf(line -> line.startsWith("-A CTAGENT-NOTRACK-OUTPUT"));
        fixture.runner.clear();

        fixture.reconciler.reconcile(NetnsTarget.OWN);

        assertThat(fixture.changes()).singleElement().satisfies(call -> {
            assertThat(call.argv().get(0)).endsWith("/ip6tables");
            assertThat(call.toolArgs("ip6tables")).containsSubsequence("-A", "CTAGENT-NOTRACK-OUTPUT", "ctagent:" + id);
        });
        assertThat(fixture.runner.calls(call -> call.has("-D") || call.has("-F") || call.has("-X"))).isEmpty();
    }

    @Test
    void withoutDriftNothingRunsButAListAndNoEventIsPublished() {
        NotrackFixture fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.NFTABLES);
        fixture.service.create(NetnsTarget.OWN, udp(53), false);
        fixture.runner.clear();

        ReconcileReport report = fixture.reconciler.reconcile(NetnsTarget.OWN);

        assertThat(report.missing()).isEmpty();
        assertThat(fixture.changes()).isEmpty();
        assertThat(fixture.events).isEmpty();
    }

    @Test
    void aNamespaceWithoutRulesIsNotTouchedAtAll() {
        NotrackFixture fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.NFTABLES);

        fixture.reconciler.reconcileAll();
        assertThat(fixture.reconciler.reconcile(NetnsTarget.OWN)).isNull();

        assertThat(fixture.runner.calls()).isEmpty();
    }

    @Test
    void inDryRunModeDriftIsReportedButNotRepaired() throws Exception {
        NotrackFixture direct = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.NFTABLES);
        String id = direct.service.create(NetnsTarget.OWN, udp(53), false).after().id();
        NotrackFixture dry = new NotrackFixture(temp, HostMode.DRY_RUN, NotrackProperties.BackendChoice.NFTABLES);

        ReconcileReport report = dry.reconciler.reconcile(NetnsTarget.OWN);

        assertThat(report.missing()).containsExactly(id);
        assertThat(report.restored()).isFalse();
        assertThat(dry.changes()).isEmpty();
        assertThat(dry.events).singleElement().isInstanceOfSatisfying(NotrackDriftDetected.class,
                event -> assertThat(event.restored()).isFalse());
    }

    @Test
    void aNamespaceThatIsGoneKeepsItsRulesAndIsSkipped() throws Exception {
        NotrackFixture fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.NFTABLES);
        Files.createFile(temp.resolve("run/netns/lab1"));
        fixture.service.create(NetnsTarget.parse("lab1"), udp(53), false);
        Files.delete(temp.resolve("run/netns/lab1"));
        fixture.runner.clear();

        fixture.reconciler.reconcileAll();

        assertThat(fixture.runner.calls()).isEmpty();
        assertThat(fixture.state.rules(NetnsTarget.parse("lab1"))).hasSize(1);
    }

    @Test
    void startingTheAgentReconcilesAtOnce() throws Exception {
        NotrackFixture fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.NFTABLES);
        String id = fixture.service.create(NetnsTarget.OWN, udp(53), false).after().id();
        fixture.kernel.flush();

        fixture.reconciler.start();
        try {
            for (int i = 0; i < 100 && fixture.kernel.nft.isEmpty(); i++) {
                Thread.sleep(50);
            }
        } finally {
            fixture.reconciler.stop();
        }

        assertThat(fixture.kernel.nft).extracting(FakeKernel.NftRule::comment).contains("ctagent:" + id);
        assertThat(fixture.reconciler.isRunning()).isFalse();
    }
}
