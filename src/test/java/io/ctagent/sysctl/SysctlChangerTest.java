package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.Mockito;
import org.springframework.http.HttpStatus;

import io.ctagent.audit.AuditLog;

import io.ctagent.hostagent.CommandRunner;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.HostFiles;
import io.ctagent.hostagent.HostMode;
import io.ctagent.hostagent.HostPaths;
import io.ctagent.hostagent.HostProperties;
import io.ctagent.hostagent.HostWrite;
import io.ctagent.hostagent.HostWriter;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.TestPipeline;
import io.ctagent.testsupport.AuditTrail;
import io.ctagent.tuning.HostMemory;
import io.ctagent.tuning.TuningProperties;
import io.ctagent.usage.UsageProperties;
import io.ctagent.usage.UsageService;
import io.ctagent.problem.OperatorProblem;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** All or nothing: the service wired by hand over a fake host and a host writer that can be told to fail. */
class SysctlChangerTest {

    private static final String MAX = "proc/sys/net/netfilter/nf_conntrack_max";
    private static final String UDP = "proc/sys/net/netfilter/nf_conntrack_udp_timeout";
    private static final String ESTABLISHED = "proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established";
    private static final String DROP_IN = "etc/sysctl.d/90-conntrack-agent.conf";

    @TempDir
    Path temp;

    private FakeHost host;
    private FailingWriter writer;
    private SysctlChanger changer;
    private GlobalMax globalMax;
    private SysctlReader globalMaxReader;
    private AuditTrail audit;
    private AuditLog log;

    /** A real direct-mode writer that fails the n-th sysctl write (1-based), or the file write. */
    static final class FailingWriter extends HostWriter {
        int failSysctlWrite = -1;
        boolean failFile;
        Map<Long, Long> keepInstead = Map.of();
        final List<String> written = new ArrayList<>();

        FailingWriter(HostAgent host, CommandRunner runner) {
            super(host, runner);
        }

        @Override
        public HostWrite writeSysctl(NetnsTarget netns, String name, long value) {
            written.add(name + "=" + value);
            if (written.size() == failSysctlWrite) {
                return new HostWrite(List.of(sysctlCommand(netns, name, value)), false,
                        io.ctagent.hostagent.WriteError.INVALID_ARGUMENT, "Invalid argument", List.of(), 1);
            }
            return super.writeSysctl(netns, name, keepInstead.getOrDefault(value, value));
        }

        @Override
        public HostWrite replaceFile(String relativeRootfs, String content) {
            if (failFile) {
                return new HostWrite(replaceFileCommands(relativeRootfs), false,
                        io.ctagent.hostagent.WriteError.READ_ONLY_FILE_SYSTEM, "Read-only file system", List.of(), 1);
            }
            return super.replaceFile(relativeRootfs, content);
        }
    }

    @BeforeEach
    void wire() {
        host = FakeHost.copyTo(temp);
        audit = AuditTrail.inTempDir("ctagent-changer-audit");
        log = Mockito.spy(AuditLog.toFile(audit.file(), () -> "DIRECT", Clock.systemUTC()));
        wire(HostMode.DIRECT);
    }

    /** The changer and GlobalMax over the fake host in this mode, auditing to {@code log}. */
    private void wire(HostMode mode) {
        HostProperties properties = new HostProperties(host.proc().toString(), host.sys().toString(),
                host.root().toString(), mode, Duration.ofSeconds(5), 1 << 16,
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        CommandRunner runner = new CommandRunner(properties);
        HostAgent agent = new HostAgent(properties, new HostPaths(properties),
                new io.ctagent.hostagent.Tools(properties), runner);
        HostFiles files = new HostFiles(agent);
        writer = new FailingWriter(agent, runner);
        SysctlCatalog catalog = new SysctlCatalog(files);
        SysctlPersistence persistence = new SysctlPersistence(files, writer,
                new SysctlProperties("/etc/sysctl.d/90-conntrack-agent.conf"));
        SysctlReader reader = new SysctlReader(catalog, files, agent, writer, persistence);
        UsageService usage = new UsageService(agent, new UsageProperties(75, 90), Clock.systemUTC());
        SysctlGuards guards = new SysctlGuards(reader, new HostMemory(agent, usage, new TuningProperties(10)),
                SysctlGuardsTest.namespaces(), SysctlGuardsTest.history(0));
        changer = new SysctlChanger(catalog, reader, guards, persistence, writer, new AuditChangeHistory(log),
                TestPipeline.of(log, writer));
        globalMax = new GlobalMax(changer, reader);
        globalMaxReader = reader;
    }

    /** The only change in the audit: its intent and outcome. */
    private AuditTrail.Change onlyChange() {
        List<JsonNode> records = audit.records();
        assertThat(records).hasSize(2);
        return audit.change(records.get(1).get("id").asString());
    }

    private static SysctlRequests.SysctlPatchRequest batch(boolean persist, Object... keysAndValues) {
        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> changes = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            changes.put((String) keysAndValues[i], json.valueToTree(keysAndValues[i + 1]));
        }
        return new SysctlRequests.SysctlPatchRequest(changes, persist, false, false, null);
    }

    @Test
    void remediationsMaxGoesThroughTheChangePathAuditedAsThePolicyWithItsEvidence() {
        long current = Long.parseLong(host.read(MAX).strip());
        SysctlChange change = globalMax.set(io.ctagent.change.Actor.policy("remediation"), current, 524288, false,
                "policy remediation: drop counter rose from 5 to 9 in the agent's namespace");

        assertThat(change.result()).isEqualTo(ChangeResult.APPLIED);
        assertThat(host.read(MAX)).isEqualTo("524288\n");
        AuditTrail.Change audited = onlyChange();
        assertThat(audited.result()).isEqualTo("APPLIED");
        assertThat(audited.intent().get("actor").asString()).isEqualTo("policy:remediation");
        assertThat(audited.outcome().get("actor").asString()).isEqualTo("policy:remediation");
        assertThat(audited.intent().at("/params/reason").asString()).contains("drop counter rose from 5 to 9");
        assertThat(change.auditId()).isEqualTo(audited.outcome().get("id").asString());
    }

    @Test
    void remediationsMaxRefusesWhenMaxMovedAfterItWasReadSoAStaleDecisionCannotLowerIt() {
        // An operator's PUT lands between remediation's read of max and its change taking the lock.
        SysctlReader racing = Mockito.spy(globalMaxReader);
        Mockito.doAnswer(read -> {
            Object seen = read.callRealMethod();
            host.write(MAX, "2000000\n");
            return seen;
        }).when(racing).view(SysctlKey.MAX, NetnsTarget.OWN);
        long current = Long.parseLong(host.read(MAX).strip());
        GlobalMax raced = new GlobalMax(changer, racing);

        assertThatThrownBy(() -> raced.set(io.ctagent.change.Actor.policy("remediation"), current, current * 2,
                false, "policy remediation: drop counter rose"))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        problem -> assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.PRECONDITION_FAILED));
        assertThat(host.read(MAX)).isEqualTo("2000000\n");

        // Decided on a value max no longer has: refused before the change path, nothing written.
        assertThatThrownBy(() -> globalMax.set(io.ctagent.change.Actor.policy("remediation"), current, current * 2,
                false, "policy remediation: drop counter rose"))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        problem -> assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.PRECONDITION_FAILED));
        assertThat(host.read(MAX)).isEqualTo("2000000\n");
        assertThat(writer.written).isEmpty();
    }

    @Test
    void inDryRunModeRemediationsMaxIsRecordedAsDryRunForThePolicyAndNothingIsWritten() {
        String before = host.read(MAX);
        long current = Long.parseLong(before.strip());
        wire(HostMode.DRY_RUN);

        SysctlChange change = globalMax.set(io.ctagent.change.Actor.policy("remediation"), current, current * 2, false,
                "policy remediation: drop counter rose from 5 to 9 in the agent's namespace");

        assertThat(change.result()).isEqualTo(ChangeResult.DRY_RUN);
        assertThat(host.read(MAX)).isEqualTo(before);
        AuditTrail.Change audited = onlyChange();
        assertThat(audited.result()).isEqualTo("DRY_RUN");
        assertThat(audited.outcome().get("actor").asString()).isEqualTo("policy:remediation");
        assertThat(audited.intent().at("/params/reason").asString()).contains("drop counter rose from 5 to 9");
    }

    @Test
    void whenTheSecondKeyFailsTheFirstIsRestoredAndTheThirdNeverWritten() {
        writer.failSysctlWrite = 2;

        assertThatThrownBy(() -> changer.patch(null, batch(false,
                "net.netfilter.nf_conntrack_max", 524288,
                "net.netfilter.nf_conntrack_udp_timeout", 45,
                "net.netfilter.nf_conntrack_tcp_timeout_established", 7875)))
                .isInstanceOfSatisfying(ChangeFailed.class, failed -> {
                    assertThat(failed.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
                    assertThat(failed.getBody().getDetail()).contains("nf_conntrack_udp_timeout = 45")
                            .contains("EINVAL").contains("restored");
                    SysctlChange change = failed.change();
                    assertThat(change.result()).isEqualTo(ChangeResult.FAILED);
                    assertThat(change.applied()).isFalse();
                    assertThat(change.after()).isEqualTo(change.before());
                    assertThat(change.warnings()).contains("Restored net.netfilter.nf_conntrack_max to 262144.");
                    assertThat(change.commands()).hasSize(3);
                    assertThat(failed.getBody().getProperties()).containsKeys("before", "after", "commands");
                });

        assertThat(writer.written).containsExactly("net.netfilter.nf_conntrack_max=524288",
                "net.netfilter.nf_conntrack_udp_timeout=45", "net.netfilter.nf_conntrack_max=262144");
        assertThat(host.read(MAX)).isEqualTo("262144\n");
        assertThat(host.read(UDP)).isEqualTo("30\n");
        assertThat(host.read(ESTABLISHED)).isEqualTo("432000\n");

        // One intent and one FAILED outcome for the whole batch, with the values restored.
        AuditTrail.Change change = onlyChange();
        assertThat(change.result()).isEqualTo("FAILED");
        assertThat(change.intent().get("action").asString()).isEqualTo("sysctl.batch");
        JsonNode outcome = change.outcome();
        assertThat(outcome.get("reason").asString()).contains("nf_conntrack_udp_timeout = 45").contains("restored");
        assertThat(outcome.at("/before/values/net.netfilter.nf_conntrack_max").asLong()).isEqualTo(262144);
        assertThat(outcome.at("/after/values/net.netfilter.nf_conntrack_max").asLong()).isEqualTo(262144);
        assertThat(outcome.at("/after/values/net.netfilter.nf_conntrack_udp_timeout").asLong()).isEqualTo(30);
        assertThat(outcome.get("after")).isEqualTo(outcome.get("before"));
        // Every step, the restore included, with its exit code: applied, refused, restored.
        assertThat(outcome.get("commands")).hasSize(3);
        assertThat(outcome.get("commands").get(0).get("exitCode").asInt()).isZero();
        assertThat(outcome.get("commands").get(1).get("exitCode").asInt()).isEqualTo(1);
        assertThat(outcome.get("commands").get(2).get("argv").get(2).asString()).isEqualTo("262144");
        assertThat(outcome.get("commands").get(2).get("exitCode").asInt()).isZero();
    }

    @Test
    void aFailedChangeCarriesTheAuditIdOfItsOutcome() {
        writer.failSysctlWrite = 1;

        assertThatThrownBy(() -> changer.patch(null, batch(false, "net.netfilter.nf_conntrack_udp_timeout", 45)))
                .isInstanceOfSatisfying(ChangeFailed.class, failed -> {
                    String auditId = failed.change().auditId();
                    assertThat(auditId).isNotNull();
                    assertThat(failed.getBody().getProperties()).containsEntry("auditId", auditId);
                    assertThat(audit.change(auditId).result()).isEqualTo("FAILED");
                });
    }

    @Test
    void whenTheOutcomeIsLostTheAppliedChangeAnswersWithAWarningAndTheIntentId() {
        audit.losingOutcomes(log);

        SysctlChange change = changer.patch(null, batch(false, "net.netfilter.nf_conntrack_udp_timeout", 45));

        assertThat(change.result()).isEqualTo(ChangeResult.APPLIED);
        assertThat(host.read(UDP)).isEqualTo("45\n");
        assertThat(change.warnings()).anyMatch(warning -> warning.contains("outcome could not be written"));
        assertThat(audit.records()).singleElement().satisfies(intent -> {
            assertThat(intent.path("phase").asString()).isEqualTo("intent");
            assertThat(change.auditId()).isEqualTo(intent.path("id").asString());
        });
    }

    @Test
    void whenTheIntentCannotBeWrittenNothingIsWrittenAndTheAnswerIs503() throws Exception {
        audit.unavailableDuring(() -> assertThatThrownBy(() -> changer.patch(null, batch(true,
                "net.netfilter.nf_conntrack_max", 524288, "net.netfilter.nf_conntrack_udp_timeout", 45)))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(problem.getBody().getDetail()).contains("nothing was changed");
                }));

        assertThat(writer.written).isEmpty();
        assertThat(host.read(MAX)).isEqualTo("262144\n");
        assertThat(host.read(UDP)).isEqualTo("30\n");
        assertThat(host.root().resolve(DROP_IN)).doesNotExist();
        assertThat(audit.records()).isEmpty();
    }

    @Test
    void whenTheDropInCannotBeWrittenTheRuntimeChangesAreRestored() {
        writer.failFile = true;

        assertThatThrownBy(() -> changer.patch(null, batch(true,
                "net.netfilter.nf_conntrack_max", 524288, "net.netfilter.nf_conntrack_udp_timeout", 45)))
                .isInstanceOfSatisfying(ChangeFailed.class, failed -> {
                    assertThat(failed.getBody().getDetail()).contains("EROFS");
                    assertThat(failed.change().after()).isEqualTo(failed.change().before());
                });

        assertThat(host.read(MAX)).isEqualTo("262144\n");
        assertThat(host.read(UDP)).isEqualTo("30\n");
        assertThat(host.root().resolve(DROP_IN)).doesNotExist();
        AuditTrail.Change change = onlyChange();
        assertThat(change.result()).isEqualTo("FAILED");
        assertThat(change.outcome().get("reason").asString()).contains("EROFS");
        assertThat(change.outcome().at("/before/dropIn/net.netfilter.nf_conntrack_max").isNull()).isTrue();
        assertThat(change.outcome().get("after")).isEqualTo(change.outcome().get("before"));
    }

    @Test
    void aValueThatReadsBackDifferentlyFailsAndIsRestored() {
        // The kernel (here: the fake) keeps 46 where 45 was asked.
        writer.keepInstead = Map.of(45L, 46L);

        assertThatThrownBy(() -> changer.patch(null, batch(false, "net.netfilter.nf_conntrack_udp_timeout", 45)))
                .isInstanceOfSatisfying(ChangeFailed.class, failed -> {
                    assertThat(failed.getBody().getType().toString()).endsWith("read-back-mismatch");
                    assertThat(failed.change().warnings())
                            .contains("Restored net.netfilter.nf_conntrack_udp_timeout to 30.");
                });
        assertThat(host.read(UDP)).isEqualTo("30\n");
    }

    @Test
    void aBatchThatChangesNothingWritesNothing() {
        SysctlChange change = changer.patch(null, batch(false,
                "net.netfilter.nf_conntrack_max", 262144, "net.netfilter.nf_conntrack_udp_timeout", 30));

        assertThat(change.result()).isEqualTo(ChangeResult.UNCHANGED);
        assertThat(writer.written).isEmpty();
        assertThat(change.auditId()).isNotNull();
        assertThat(audit.change(change.auditId()).result()).isEqualTo("UNCHANGED");
    }

}
