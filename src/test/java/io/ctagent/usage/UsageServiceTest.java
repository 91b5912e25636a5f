package io.ctagent.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpStatus;

import io.ctagent.hostagent.CommandRunner;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.HostMode;
import io.ctagent.hostagent.HostPaths;
import io.ctagent.hostagent.HostProperties;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Tools;
import io.ctagent.testsupport.FakeHost;
import io.ctagent.problem.OperatorProblem;

class UsageServiceTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    @TempDir
    Path temp;
    private FakeHost host;

    @BeforeEach
    void copyFixture() {
        host = FakeHost.copyTo(temp);
    }

    private UsageService service(int warn, int critical) {
        HostProperties properties = new HostProperties(host.proc().toString(), host.sys().toString(),
                host.root().toString(), HostMode.DIRECT, Duration.ofSeconds(5), 4096, "/usr/bin:/bin");
        HostAgent agent = new HostAgent(properties, new HostPaths(properties), new Tools(properties),
                new CommandRunner(properties));
        return new UsageService(agent, new UsageProperties(warn, critical), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void computesUsageFromTheKernelFiles() {
        ConntrackUsage usage = service(75, 90).usage(NetnsTarget.OWN);

        assertThat(usage.count()).isEqualTo(235930);
        assertThat(usage.max()).isEqualTo(262144);
        assertThat(usage.usagePercent()).isEqualTo(90.0);
        assertThat(usage.buckets()).isEqualTo(65536);
        assertThat(usage.hashsize()).isEqualTo(65536);
        assertThat(usage.entriesPerBucket()).isEqualTo(3.6);
        assertThat(usage.objectSize()).isEqualTo(256);
        assertThat(usage.memoryBytes()).isEqualTo(235930L * 256 + 65536L * 8);
        assertThat(usage.sampledAt()).isEqualTo(NOW);
    }

    @Test
    void levelFollowsTheConfiguredPercents() {
        assertThat(service(75, 90).usage(NetnsTarget.OWN).level()).isEqualTo(UsageLevel.CRITICAL);
        assertThat(service(75, 95).usage(NetnsTarget.OWN).level()).isEqualTo(UsageLevel.WARN);
        assertThat(service(91, 95).usage(NetnsTarget.OWN).level()).isEqualTo(UsageLevel.OK);
    }

    @Test
    void withoutReadableSlabinfoTheObjectSizeFallsBackTo320() {
        host.delete("proc/slabinfo");

        ConntrackUsage usage = service(75, 90).usage(NetnsTarget.OWN);

        assertThat(usage.objectSize()).isEqualTo(320);
        assertThat(usage.memoryBytes()).isEqualTo(235930L * 320 + 65536L * 8);
    }

    @Test
    void conntrackNotLoadedIsA503SayingSo() {
        host.delete("proc/sys/net/netfilter/nf_conntrack_count");

        assertThatThrownBy(() -> service(75, 90).usage(NetnsTarget.OWN))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(problem.getBody().getDetail()).contains("nf_conntrack is not loaded");
                });
    }

    @Test
    void statsComeFromTheStatFile() {
        ConntrackStats stats = service(75, 90).stats(NetnsTarget.OWN);

        assertThat(stats.perCpu()).hasSize(2);
        assertThat(stats.totals().insert()).isEqualTo(300);
        assertThat(stats.totals().entries()).isEqualTo(235930);
    }
}
