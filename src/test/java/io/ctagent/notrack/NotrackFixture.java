package io.ctagent.notrack;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import org.mockito.Mockito;

import io.ctagent.audit.AuditLog;
import io.ctagent.change.ChangePipeline;
import io.ctagent.hostagent.HostWriter;
import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.TestPipeline;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.HostMode;
import io.ctagent.hostagent.HostPaths;
import io.ctagent.hostagent.HostProperties;
import io.ctagent.hostagent.StateFiles;
import io.ctagent.hostagent.Tools;
import io.ctagent.testsupport.FakeCommandRunner;
import tools.jackson.databind.json.JsonMapper;

/** The NOTRACK feature wired by hand around a fake command runner and a fake kernel. */
final class NotrackFixture {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-04T05:06:07Z"), ZoneOffset.UTC);

    final Path root;
    final FakeCommandRunner runner;
    final FakeKernel kernel;
    final HostAgent host;
    final NotrackBackend backend;
    final NotrackState state;
    final NotrackReconciler reconciler;
    final NotrackService service;
    final List<Object> events = new CopyOnWriteArrayList<>();
    final Lifeline lifeline;

    NotrackFixture(Path root, HostMode mode, NotrackProperties.BackendChoice choice) {
        this(root, mode, choice, host -> host, "nft", "iptables", "ip6tables", "nsenter", "cat", "sudo");
    }

    final Path auditFile;
    /** The audit log the pipeline writes, a spy a test may make lose records (see AuditTrail#losingOutcomes). */
    final AuditLog auditLog;
    final AuditTrail trail;

    NotrackFixture(Path root, HostMode mode, NotrackProperties.BackendChoice choice, String... tools) {
        this(root, mode, choice, host -> host, tools);
    }

    /** {@code wrap} may replace the host agent, e.g. with a spy that reports another mode. */
    NotrackFixture(Path root, HostMode mode, NotrackProperties.BackendChoice choice, UnaryOperator<HostAgent> wrap,
                   String... tools) {
        this.root = root;
        HostProperties properties = FakeCommandRunner.properties(root, mode, tools);
        this.runner = new FakeCommandRunner(properties);
        this.kernel = new FakeKernel(runner);
        this.host = wrap.apply(new HostAgent(properties, new HostPaths(properties), new Tools(properties), runner));
        NotrackProperties notrack = new NotrackProperties(choice, root.resolve("state/notrack.json").toString(),
                Duration.ofSeconds(60));
        IptablesTables tables = new IptablesTables(host);
        this.backend = NotrackConfig.choose(choice, true, host, tables);
        this.state = new NotrackState(notrack, new StateFiles(), JsonMapper.builder().build());
        PlanRunner plans = new PlanRunner(host, new io.ctagent.hostagent.MutationLock());
        this.auditFile = root.resolve("audit/audit.jsonl");
        createDirectories(auditFile.getParent());
        this.trail = AuditTrail.at(auditFile.getParent());
        this.auditLog = Mockito.spy(AuditLog.toFile(auditFile, () -> host.mode().name(), CLOCK));
        ChangePipeline audit = TestPipeline.of(auditLog, new HostWriter(host, runner));
        NamespaceRules others = new NamespaceRules(host, tables);
        // Off, as in every test that runs in this machine's own namespace (IncidentLifelineHostIT has it on).
        this.lifeline = new Lifeline(host, backend, plans, audit, others, new LifelineProperties(false),
                events::add, CLOCK, "127.0.0.1");
        this.reconciler = new NotrackReconciler(host, backend, state, plans, notrack, events::add, audit, CLOCK,
                lifeline);
        this.service = new NotrackService(host, backend, state, others, new ChangeGuards(host, others, state,
                new BreadthProperties(16, 48, 1024, 64)), plans,
                reconciler, audit, CLOCK, lifeline);
    }

    Path bin(String tool) {
        return root.resolve("bin").resolve(tool);
    }

    /** The calls that change something: nft -f, iptables -N/-A/-D. */
    List<FakeCommandRunner.Call> changes() {
        return runner.calls(call -> call.has("-f", "-") || call.has("-N") || call.has("-A") || call.has("-D"));
    }

    private static void createDirectories(Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
