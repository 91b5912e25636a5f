package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.Mockito;
import org.springframework.http.HttpStatus;

import io.ctagent.hostagent.EffectiveMode;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.HostMode;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.problem.InvalidInput;
import io.ctagent.problem.OperatorProblem;

/** The service on the nftables backend, against a fake command runner and fake kernel. */
class NftablesServiceTest {

    @TempDir
    Path temp;

    private NotrackFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.NFTABLES);
    }

    private static NotrackRequest udp(int port) {
        return NotrackRequest.of(null, null, "udp", port, null, null, null, null, null, "dns");
    }

    @Test
    void deletingTheLifelineIsAConflictNamingTheSettingAndChangesNothing() throws Exception {
        assertThatThrownBy(() -> fixture.service.delete(NetnsTarget.OWN, "lifeline", false))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
                    assertThat(problem.getBody().getDetail()).contains("ctagent.lifeline.enabled=false");
                });

        assertThat(fixture.changes()).isEmpty();
        assertThat(Files.readString(fixture.auditFile)).contains("notrack.delete", "lifeline-rule");
    }

    @Test
    void createFeedsOneTransactionToNftInTheNamespaceAndReadsTheRuleBack() throws Exception {
        Files.createFile(temp.resolve("run/netns/lab1"));

        NotrackChange change = fixture.service.create(NetnsTarget.parse("lab1"), udp(53), false);

        String id = change.after().id();
        var nftF = fixture.changes();
        assertThat(nftF).hasSize(1);
        assertThat(nftF.get(0).argv()).containsExactly(fixture.bin("nsenter").toString(),
                "--net=" + temp.resolve("run/netns/lab1"), "--", fixture.bin("nft").toString(), "-f", "-");
        assertThat(nftF.get(0).stdin()).isEqualTo("""
                add table inet conntrack_agent
                add chain inet conntrack_agent prerouting { type filter hook prerouting priority raw; policy accept; }
                add chain inet conntrack_agent output { type filter hook output priority raw; policy accept; }
                add rule inet conntrack_agent prerouting udp dport 53 counter notrack comment "ctagent:%1$s"
                add rule inet conntrack_agent output udp dport 53 counter notrack comment "ctagent:%1$s"
                """.formatted(id));
        assertThat(change.applied()).isTrue();
        assertThat(change.dryRun()).isFalse();
        assertThat(change.before()).isNull();
        assertThat(change.after().inKernel()).isTrue();
        assertThat(change.after().packets()).isEqualTo(6);
        assertThat(change.after().netns()).isEqualTo("lab1");
        assertThat(change.commands()).singleElement().satisfies(command -> {
            assertThat(command.stdin()).contains("ctagent:" + id);
            assertThat(command.exitCode()).isZero();
        });
        assertThat(change.auditId()).isNotNull();
        assertThat(fixture.state.rules(NetnsTarget.parse("lab1"))).extracting(NotrackRule::id).containsExactly(id);
        assertThat(fixture.state.rules(NetnsTarget.OWN)).isEmpty();
    }

    @Test
    void aDryRunAnswersWithTheExactScriptAndChangesNothing() {
        NotrackChange change = fixture.service.create(NetnsTarget.OWN, new NotrackRequest(null, null, "udp", 53, null,
                null, null, null, null, null, true, null, null), false);

        assertThat(fixture.changes()).isEmpty();
        assertThat(change.applied()).isFalse();
        assertThat(change.dryRun()).isTrue();
        assertThat(change.commands()).singleElement().satisfies(command -> {
            assertThat(command.argv()).containsExactly(fixture.bin("nft").toString(), "-f", "-");
            assertThat(command.stdin()).contains("add rule inet conntrack_agent output udp dport 53 counter notrack");
            assertThat(command.exitCode()).isNull();
        });
        assertThat(change.after().inStateFile()).isFalse();
        assertThat(change.after().inKernel()).isFalse();
        assertThat(fixture.state.rules(NetnsTarget.OWN)).isEmpty();
        assertThat(Files.exists(temp.resolve("state/notrack.json"))).isFalse();
    }

    @Test
    void inDryRunModeEveryChangeIsADryRun() {
        NotrackFixture dry = new NotrackFixture(temp.resolve("dry"), HostMode.DRY_RUN,
                NotrackProperties.BackendChoice.NFTABLES);

        NotrackChange change = dry.service.create(NetnsTarget.OWN, udp(53), false);

        assertThat(change.dryRun()).isTrue();
        assertThat(change.applied()).isFalse();
        assertThat(dry.changes()).isEmpty();
    }

    @Test
    void deleteRemovesOnlyTheRulesHandlesAndForgetsIt() {
        String keep = fixture.service.create(NetnsTarget.OWN, udp(53), false).after().id();
        String gone = fixture.service.create(NetnsTarget.OWN, udp(5353), false).after().id();
        fixture.runner.clear();

        NotrackChange change = fixture.service.delete(NetnsTarget.OWN, gone, false);

        assertThat(fixture.changes()).singleElement().satisfies(call -> assertThat(call.stdin()).isEqualTo("""
                delete rule inet conntrack_agent prerouting handle 3
                delete rule inet conntrack_agent output handle 4
                """));
        assertThat(change.before().id()).isEqualTo(gone);
        assertThat(change.after()).isNull();
        assertThat(change.applied()).isTrue();
        assertThat(fixture.kernel.nft).extracting(FakeKernel.NftRule::comment).containsOnly("ctagent:" + keep);
        assertThat(fixture.state.rules(NetnsTarget.OWN)).extracting(NotrackRule::id).containsExactly(keep);
    }

    @Test
    void anIdenticalRuleIsNotAddedTwice() {
        NotrackChange first = fixture.service.create(NetnsTarget.OWN, udp(53), false);
        fixture.runner.clear();

        NotrackChange second = fixture.service.create(NetnsTarget.OWN,
                NotrackRequest.of("BOTH", "both", "udp", "53", null, null, null, null, null, "other comment"), false);

        assertThat(second.applied()).isFalse();
        assertThat(second.after().id()).isEqualTo(first.after().id());
        assertThat(second.warnings()).anyMatch(warning -> warning.contains("identical"));
        assertThat(fixture.changes()).isEmpty();
    }

    @Test
    void aMatchAllRuleNeedsForce() {
        NotrackRequest all = NotrackRequest.of("OUTPUT", "ipv4", null, null, null, null, null, null, null, null);

        assertThatThrownBy(() -> fixture.service.create(NetnsTarget.OWN, all, true))
                .isInstanceOfSatisfying(InvalidInput.class, invalid -> assertThat(invalid.field()).isEqualTo("force"));
        assertThat(fixture.changes()).isEmpty();
    }

    @Test
    void aMatchAllRuleNeedsTheAdminRoleEvenWithForce() throws Exception {
        NotrackRequest all = new NotrackRequest("OUTPUT", "ipv4", null, null, null, null, null, null, null, null, null,
                true, null);

        assertThatThrownBy(() -> fixture.service.create(NetnsTarget.OWN, all, false))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        problem -> assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN));
        assertThat(fixture.changes()).isEmpty();
        assertThat(Files.readAllLines(fixture.auditFile)).singleElement().asString()
                .contains("\"result\":\"DENIED\"", "\"reason\":\"admin-required: ");

        NotrackChange change = fixture.service.create(NetnsTarget.OWN, all, true);
        assertThat(change.applied()).isTrue();
        assertThat(change.warnings()).contains(ChangeGuards.MATCHES_ALL_WARNING);
        assertThat(fixture.changes().get(0).stdin()).contains("add rule inet conntrack_agent output meta nfproto ipv4 "
                + "counter notrack");
    }

    @Test
    void aRuleOverlappingANatRuleIsAddedWithAWarningNamingIt() {
        fixture.kernel.natRuleset = NftRulesetTest.RULESET;

        NotrackChange change = fixture.service.create(NetnsTarget.OWN, udp(53), false);

        assertThat(change.applied()).isTrue();
        assertThat(change.warnings()).singleElement().asString()
                .contains("2 NAT rule(s)", "udp dport 53 redirect to :5353", "masquerade");
        assertThat(fixture.service.create(NetnsTarget.OWN, udp(9999), false).warnings()).singleElement().asString()
                .contains("1 NAT rule(s)");
    }

    @Test
    void whenTheOutcomeIsLostAnAddedRuleAnswersWithAWarningAndTheIntentId() {
        NotrackFixture fixture = new NotrackFixture(temp.resolve("lost"), HostMode.DIRECT,
                NotrackProperties.BackendChoice.NFTABLES);
        fixture.trail.losingOutcomes(fixture.auditLog);

        NotrackChange change = fixture.service.create(NetnsTarget.OWN, udp(53), false);

        assertThat(change.applied()).isTrue();
        assertThat(fixture.kernel.nft).isNotEmpty();
        assertThat(change.warnings()).anyMatch(warning -> warning.contains("outcome could not be written"));
        assertThat(fixture.trail.records()).singleElement().satisfies(intent -> {
            assertThat(intent.path("phase").asString()).isEqualTo("intent");
            assertThat(change.auditId()).isEqualTo(intent.path("id").asString());
        });
    }

    @Test
    void readOnlyModeRefusesChangesWith503() throws Exception {
        NotrackFixture readOnly = new NotrackFixture(temp.resolve("ro"), HostMode.DIRECT,
                NotrackProperties.BackendChoice.NFTABLES, NftablesServiceTest::readOnly, "nft");

        for (Runnable change : List.<Runnable>of(
                () -> readOnly.service.create(NetnsTarget.OWN, udp(53), false),
                () -> readOnly.service.delete(NetnsTarget.OWN, "0a1b2c3d", false))) {
            assertThatThrownBy(change::run).isInstanceOfSatisfying(OperatorProblem.class,
                    problem -> assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE));
        }
        assertThat(readOnly.runner.calls()).isEmpty();
        // Each refusal is one audit record: FAILED, with the action and target the change would have had.
        List<String> lines = Files.readAllLines(readOnly.auditFile);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"phase\":\"rejected\"", "\"action\":\"notrack.add\"",
                "\"result\":\"FAILED\"", "\"reason\":\"read-only-mode: ");
        assertThat(lines.get(1)).contains("\"action\":\"notrack.delete\"",
                "\"target\":\"netns:(own)/notrack/0a1b2c3d\"", "\"result\":\"FAILED\"");
    }

    private static HostAgent readOnly(HostAgent host) {
        HostAgent spy = Mockito.spy(host);
        Mockito.doReturn(EffectiveMode.READ_ONLY).when(spy).mode();
        return spy;
    }

    @Test
    void aFailedTransactionIsA502AndForgetsNothingAndKeepsNoState() {
        fixture.runner.fail(call -> call.has("-f", "-"), 1, "Error: Could not process rule: Operation not supported");

        assertThatThrownBy(() -> fixture.service.create(NetnsTarget.OWN, udp(53), false))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
                    assertThat(problem.getBody().getDetail()).contains("Operation not supported");
                });
        assertThat(fixture.state.rules(NetnsTarget.OWN)).isEmpty();
    }

    @Test
    void whenTheStateFileCannotBeWrittenTheKernelChangeIsUndone() throws Exception {
        Files.writeString(temp.resolve("state"), "a file where the directory should be");

        assertThatThrownBy(() -> fixture.service.create(NetnsTarget.OWN, udp(53), false))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        problem -> assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE));
        assertThat(fixture.kernel.nft).isEmpty();
    }

    @Test
    void listShowsCountersDriftAndLeftOverRules() {
        String id = fixture.service.create(NetnsTarget.OWN, udp(53), false).after().id();
        fixture.kernel.nft.removeIf(rule -> rule.chain().equals("output"));
        fixture.kernel.nft.add(new FakeKernel.NftRule("output", 99, "ctagent:0000beef", "left over"));

        NotrackRules rules = fixture.service.list(NetnsTarget.OWN, false);

        assertThat(rules.backend()).isEqualTo("nftables");
        assertThat(rules.foreign()).isNull();
        assertThat(rules.rules()).hasSize(2);
        assertThat(rules.rules().get(0)).satisfies(rule -> {
            assertThat(rule.id()).isEqualTo(id);
            assertThat(rule.inKernel()).isFalse();
            assertThat(rule.inStateFile()).isTrue();
            assertThat(rule.packets()).isEqualTo(3);
            assertThat(rule.dports()).isEqualTo("53");
        });
        assertThat(rules.rules().get(1)).satisfies(rule -> {
            assertThat(rule.id()).isEqualTo("0000beef");
            assertThat(rule.inStateFile()).isFalse();
        });
        assertThat(rules.warnings()).hasSize(2);
    }

    @Test
    void foreignRulesAreListedOnlyWhenAsked() {
        fixture.kernel.natRuleset = NftRulesetTest.RULESET;

        assertThat(fixture.service.list(NetnsTarget.OWN, true).foreign()).extracting(ForeignRule::location)
                .containsExactly("inet edge raw");
    }

    @Test
    void anUnknownRuleIsA404AndAnUnknownNamespaceToo() {
        assertThatThrownBy(() -> fixture.service.get(NetnsTarget.OWN, "0a1b2c3d"))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        problem -> assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND));
        assertThatThrownBy(() -> fixture.service.delete(NetnsTarget.OWN, "0a1b2c3d", false))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        problem -> assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND));
        assertThatThrownBy(() -> fixture.service.list(NetnsTarget.parse("ghost"), false))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        problem -> assertThat(problem.getBody().getProperties()).containsEntry("field", "netns"));
    }

    @Test
    void everyChangeIsAuditedWithIntentAndOutcome() throws Exception {
        NotrackChange added = fixture.service.create(NetnsTarget.OWN, udp(53), false);
        NotrackChange planned = fixture.service.create(NetnsTarget.OWN, new NotrackRequest(null, null, "udp", 54, null,
                null, null, null, null, null, true, null, null), false);

        List<String> lines = Files.readAllLines(fixture.auditFile);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).contains("\"phase\":\"intent\"", "\"action\":\"notrack.add\"");
        assertThat(lines.get(1)).contains("\"result\":\"APPLIED\"", "nft");
        assertThat(lines.get(3)).contains("\"result\":\"DRY_RUN\"");
        assertThat(added.auditId()).isNotNull().isNotEqualTo(planned.auditId());
        assertThat(lines.get(1)).contains(added.auditId());
    }

    @Test
    void withoutAnAuditRecordNothingChanges() throws Exception {
        // The audit directory is gone (a lost mount, say): the intent cannot be written.
        Files.delete(fixture.auditFile);
        Files.delete(fixture.auditFile.getParent());

        assertThatThrownBy(() -> fixture.service.create(NetnsTarget.OWN, udp(53), false))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        p -> assertThat(p.getStatusCode().value()).isEqualTo(503));
        assertThat(fixture.changes()).isEmpty();
    }

    private static NotrackRequest rule(String protocol, Object dports, String src, boolean force) {
        return new NotrackRequest(null, null, protocol, dports, null, null, null, src, null, null, null, force, null);
    }

    @Test
    void broadRulesNeedForceAndNameTheMeasure() {
        for (NotrackRequest broad : List.of(rule("tcp", null, null, false), rule("udp", null, null, false),
                rule(null, null, "0.0.0.0/1", false), rule(null, null, "10.0.0.0/15", false))) {
            assertThatThrownBy(() -> fixture.service.create(NetnsTarget.OWN, broad, true))
                    .as("%s", broad).isInstanceOfSatisfying(InvalidInput.class, invalid -> {
                        assertThat(invalid.field()).isEqualTo("force");
                        assertThat(invalid.getBody().getProperties()).containsEntry("measure", "breadth");
                        assertThat(invalid.getBody().getDetail()).contains("Narrow it with dports of at most");
                    });
        }
        assertThat(fixture.changes()).isEmpty();
    }

    @Test
    void aBroadRuleWithForceNeedsAnAdminAndIsCreatedForOneWithAWarning() {
        assertThatThrownBy(() -> fixture.service.create(NetnsTarget.OWN, rule("tcp", null, null, true), false))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        problem -> assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN));
        assertThat(fixture.changes()).isEmpty();

        NotrackChange change = fixture.service.create(NetnsTarget.OWN, rule("tcp", null, null, true), true);
        assertThat(change.applied()).isTrue();
        assertThat(change.warnings()).anyMatch(warning -> warning.startsWith("Forced past a guard: Breadth:"));
    }

    @Test
    void narrowRulesNeedNoForce() {
        assertThat(fixture.service.create(NetnsTarget.OWN, rule("udp", 53, null, false), false).applied()).isTrue();
        assertThat(fixture.service.create(NetnsTarget.OWN, rule(null, null, "10.1.2.0/24", false), false).applied())
                .isTrue();
        assertThat(fixture.service.create(NetnsTarget.OWN, rule(null, null, "10.2.0.0/16", false), false).applied())
                .isTrue();
    }

    @Test
    void theRuleThatTakesTheNamespacesRulesPastThePortAllowanceNeedsForce() throws Exception {
        Files.createFile(temp.resolve("run/netns/lab1"));
        NetnsTarget lab = NetnsTarget.parse("lab1");
        assertThat(fixture.service.create(lab, rule("tcp", "1-1000", null, false), false).applied()).isTrue();
        int changes = fixture.changes().size();

        assertThatThrownBy(() -> fixture.service.create(lab, rule("tcp", "1001-2000", null, false), false))
                .isInstanceOfSatisfying(InvalidInput.class, invalid -> {
                    assertThat(invalid.getBody().getProperties()).containsEntry("measure", "set-coverage");
                    assertThat(invalid.getBody().getDetail()).contains("tcp", "dports 1-1000");
                });
        assertThat(fixture.changes()).hasSize(changes);
        assertThat(fixture.service.create(NetnsTarget.OWN, rule("tcp", "1001-2000", null, false), false)
                .applied()).as("another namespace's rules do not add up").isTrue();
    }
}
