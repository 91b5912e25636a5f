package io.ctagent.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpStatus;

import io.ctagent.hostagent.EffectiveMode;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.web.OperatorProblem;
import tools.jackson.databind.JsonNode;

/**
 * The mutation pipeline against a fake host value. The real first mutation (PUT /sysctls/{key})
 * arrives later; until then this is where fail-closed is shown.
 */
class MutationGateTest {

    @TempDir
    Path dir;

    AuditFile file;
    HostAgent host = mock(HostAgent.class);
    /** Stands for a kernel value such as nf_conntrack_max. */
    AtomicLong max = new AtomicLong(65536);

    MutationGate gate() {
        when(host.mode()).thenReturn(EffectiveMode.DIRECT);
        file = new AuditFile(dir.resolve("audit.jsonl"), 50_000_000, 10);
        return new MutationGate(new AuditLog(file, () -> host.mode().name(), Clock.systemUTC()), host,
                new io.ctagent.hostagent.MutationLock());
    }

    @AfterEach
    void close() {
        if (file != null) {
            file.close();
        }
    }

    Mutation<Long> setMax(long value, boolean dryRun, AtomicBoolean called) {
        return new Mutation<>("sysctl.set", "net.netfilter.nf_conntrack_max", Map.of("value", value), dryRun,
                max::get, (before, dry, trail) -> {
                    called.set(true);
                    if (dry) {
                        trail.planned(List.of("/usr/sbin/sysctl", "-w", "net.netfilter.nf_conntrack_max=" + value));
                    } else {
                        max.set(value);
                        trail.step(new AuditCommand(List.of("write", "nf_conntrack_max", "" + value), 0, 1L));
                    }
                });
    }

    List<JsonNode> records() throws IOException {
        return Files.readAllLines(dir.resolve("audit.jsonl")).stream().map(AuditChain.JSON::readTree).toList();
    }

    @Test
    void anUnwritableAuditAnswers503AndTheHostValueStaysAsItWas() throws IOException {
        MutationGate gate = gate();
        Files.delete(dir.resolve("audit.jsonl"));
        Files.delete(dir);
        AtomicBoolean called = new AtomicBoolean();

        assertThatThrownBy(() -> gate.apply(setMax(262144, false, called)))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(problem.getBody().getDetail()).contains("nothing was changed");
                });
        assertThat(called).isFalse();
        assertThat(max.get()).isEqualTo(65536);
    }

    @Test
    void aChangeWritesIntentThenOutcomeWithBeforeAndAfter() throws IOException {
        MutationOutcome<Long> outcome = gate().apply(setMax(262144, false, new AtomicBoolean()));

        assertThat(outcome.result()).isEqualTo(AuditResult.APPLIED);
        assertThat(outcome.applied()).isTrue();
        assertThat(outcome.before()).isEqualTo(65536);
        assertThat(outcome.after()).isEqualTo(262144);
        List<JsonNode> records = records();
        assertThat(records).hasSize(2);
        assertThat(records.get(0).get("phase").stringValue()).isEqualTo("intent");
        assertThat(records.get(0).get("id").stringValue()).isEqualTo(outcome.auditId());
        assertThat(records.get(0).get("params").get("value").asLong()).isEqualTo(262144);
        assertThat(records.get(0).get("before").asLong()).isEqualTo(65536);
        assertThat(records.get(0).get("result").isNull()).isTrue();
        assertThat(records.get(1).get("phase").stringValue()).isEqualTo("outcome");
        assertThat(records.get(1).get("intentId").stringValue()).isEqualTo(outcome.auditId());
        assertThat(records.get(1).get("result").stringValue()).isEqualTo("APPLIED");
        assertThat(records.get(1).get("after").asLong()).isEqualTo(262144);
        assertThat(records.get(1).get("commands").get(0).get("argv").get(0).stringValue()).isEqualTo("write");
        assertThat(records.get(1).get("mode").stringValue()).isEqualTo("DIRECT");
    }

    @Test
    void theSameValueAgainIsUnchanged() {
        MutationOutcome<Long> outcome = gate().apply(setMax(65536, false, new AtomicBoolean()));
        assertThat(outcome.result()).isEqualTo(AuditResult.UNCHANGED);
        assertThat(outcome.applied()).isFalse();
    }

    @Test
    void aDryRunPlansAndLeavesTheHostAlone() throws IOException {
        MutationOutcome<Long> outcome = gate().apply(setMax(262144, true, new AtomicBoolean()));
        assertThat(outcome.result()).isEqualTo(AuditResult.DRY_RUN);
        assertThat(outcome.commands().get(0).exitCode()).isNull();
        assertThat(max.get()).isEqualTo(65536);
        assertThat(records().get(1).get("result").stringValue()).isEqualTo("DRY_RUN");
    }

    @Test
    void hostModeDryRunMakesEveryChangeADryRun() {
        MutationGate gate = gate();
        when(host.mode()).thenReturn(EffectiveMode.DRY_RUN);
        MutationOutcome<Long> outcome = gate.apply(setMax(262144, false, new AtomicBoolean()));
        assertThat(outcome.dryRun()).isTrue();
        assertThat(max.get()).isEqualTo(65536);
    }

    @Test
    void aFailedChangeIsRecordedAsFailedAndRethrown() throws IOException {
        MutationGate gate = gate();
        OperatorProblem refused = new OperatorProblem(HttpStatus.BAD_GATEWAY, "host-command-failed",
                "Host command failed", "sysctl: permission denied");
        Mutation<Long> failing = new Mutation<>("sysctl.set", "net.netfilter.nf_conntrack_max", Map.of(), false,
                max::get, (before, dry, trail) -> {
                    trail.step(new AuditCommand(List.of("/usr/sbin/sysctl", "-w", "x=1"), 255, 3L));
                    throw refused;
                });

        assertThatThrownBy(() -> gate.apply(failing)).isSameAs(refused);
        JsonNode outcome = records().get(1);
        assertThat(outcome.get("result").stringValue()).isEqualTo("FAILED");
        assertThat(outcome.get("reason").stringValue()).isEqualTo("sysctl: permission denied");
        assertThat(outcome.get("commands").get(0).get("exitCode").asInt()).isEqualTo(255);
    }

    @Test
    void anOutcomeThatCannotBeWrittenBecomesAWarningNotAFailure() throws IOException {
        MutationGate gate = gate();
        Mutation<Long> change = new Mutation<>("sysctl.set", "k", Map.of(), false, max::get, (before, dry, trail) -> {
            max.set(1);
            try {
                Files.delete(dir.resolve("audit.jsonl"));
                Files.delete(dir);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        MutationOutcome<Long> outcome = gate.apply(change);
        assertThat(outcome.applied()).isTrue();
        assertThat(outcome.warnings()).singleElement().asString().contains("could not be written");
    }

    @Test
    void mutationsDoNotInterleave() throws Exception {
        MutationGate gate = gate();
        AtomicLong inside = new AtomicLong();
        AtomicLong overlaps = new AtomicLong();
        Runnable one = () -> gate.apply(new Mutation<>("t", "t", Map.of(), false, max::get, (before, dry, trail) -> {
            if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            Thread.onSpinWait();
            inside.decrementAndGet();
        }));
        List<Thread> threads = java.util.stream.IntStream.range(0, 8).mapToObj(i -> new Thread(() -> {
            for (int j = 0; j < 10; j++) {
                one.run();
            }
        })).toList();
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(overlaps.get()).isZero();
        try (AuditSnapshot snapshot = file.snapshot()) {
            assertThat(ChainVerifier.verify(snapshot)).isEqualTo(new VerifyReport(true, 160, 1, null));
        }
    }
}
