package io.ctagent.hostagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpStatus;

import io.ctagent.testsupport.FakeHost;
import io.ctagent.problem.OperatorProblem;

class HostAgentTest {

    @TempDir
    Path temp;

    private HostAgent agent(HostMode mode) {
        FakeHost host = FakeHost.copyTo(temp);
        HostProperties properties = TestHostProperties.withMode(host.proc().toString(), host.sys().toString(),
                host.root().toString(), mode);
        return new HostAgent(properties, new HostPaths(properties), new Tools(properties), new CommandRunner(properties));
    }

    @Test
    void readsProcAndSysFilesUnderTheConfiguredRoots() {
        HostAgent agent = agent(HostMode.DIRECT);

        assertThat(agent.readProc(NetnsTarget.OWN, "sys/net/netfilter/nf_conntrack_max")).hasValue("262144\n");
        assertThat(agent.readSys("module/nf_conntrack/parameters/hashsize")).hasValue("65536\n");
    }

    @Test
    void aMissingFileIsEmptyNotAnError() {
        HostAgent agent = agent(HostMode.DIRECT);

        assertThat(agent.readProc(NetnsTarget.OWN, "sys/net/netfilter/nf_conntrack_nope")).isEmpty();
        assertThat(agent.readSys("module/nf_conntrack/initstate")).isEmpty();
    }

    @Test
    void readsASysctlFileWhole() throws Exception {
        // The kernel answers a sysctl read at a non-zero offset with EOF: a 1-byte probe would
        // return "2" for 262144. Compare with what cat(1) prints.
        Path pidMax = Path.of("/proc/sys/kernel/pid_max");
        assumeThat(Files.exists(pidMax)).isTrue();
        String viaCat = new CommandRunner(TestHostProperties.runner(java.time.Duration.ofSeconds(5), 4096))
                .run(List.of("/bin/cat", pidMax.toString())).stdout();

        assertThat(HostAgent.readFile(pidMax)).hasValue(viaCat);
        assertThat(viaCat.strip()).hasSizeGreaterThan(1);
    }

    @Test
    void anUnknownNamedNamespaceIsA404NamingTheField() {
        HostAgent agent = agent(HostMode.DIRECT);

        assertThatThrownBy(() -> agent.requireNetns(NetnsTarget.parse("ghost")))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
                    assertThat(problem.getBody().getProperties()).containsEntry("field", "netns");
                });
    }

    @Test
    void anExistingNamedNamespaceIsAccepted() throws Exception {
        HostAgent agent = agent(HostMode.DIRECT);
        Files.createFile(temp.resolve("run/netns/lab1"));

        agent.requireNetns(NetnsTarget.parse("lab1"));
    }

    @Test
    void inSudoModeCommandsAreSudoNWithAbsolutePathsAndNsenterForANamedNamespace() {
        HostAgent agent = agent(HostMode.SUDO);
        assumeThat(agent.tools().find(Tool.SUDO)).isPresent();
        assumeThat(agent.tools().find(Tool.CONNTRACK)).isPresent();

        List<String> argv = agent.argv(NetnsTarget.parse("lab1"), Tool.CONNTRACK, List.of("-S"));

        assertThat(argv).containsExactly(
                agent.tools().require(Tool.SUDO).toString(), "-n",
                agent.tools().require(Tool.NSENTER).toString(), "--net=" + temp.resolve("run/netns/lab1"), "--",
                agent.tools().require(Tool.CONNTRACK).toString(), "-S");
        assertThat(agent.mode()).isEqualTo(EffectiveMode.SUDO);
    }

    @Test
    void inDirectModeTheOwnNamespaceRunsTheToolItself() {
        HostAgent agent = agent(HostMode.DIRECT);
        assumeThat(agent.tools().find(Tool.CONNTRACK)).isPresent();

        assertThat(agent.argv(NetnsTarget.OWN, Tool.CONNTRACK, List.of("-C")))
                .containsExactly(agent.tools().require(Tool.CONNTRACK).toString(), "-C");
    }

    @Test
    void aMissingToolIsA503SayingWhatToInstall() {
        HostProperties properties = new HostProperties("/proc", "/sys", "/", HostMode.DIRECT,
                java.time.Duration.ofSeconds(1), 1024, temp.toString());
        Tools tools = new Tools(properties);

        assertThatThrownBy(() -> tools.require(Tool.CONNTRACK))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(problem.getBody().getDetail()).contains("apt-get install conntrack");
                });
    }

    @Test
    void streamsAProcFileOfTheOwnNamespaceToTheConsumer() throws Exception {
        HostAgent agent = agent(HostMode.DIRECT);
        String table = "ipv4     2 udp      17 29 src=127.0.0.1 dst=127.0.0.2 sport=1 dport=2 [UNREPLIED] "
                + "src=127.0.0.2 dst=127.0.0.1 sport=2 dport=1 mark=0 zone=0 use=2\n";
        Files.writeString(temp.resolve("proc/net/nf_conntrack"), table);
        ByteArrayOutputStream seen = new ByteArrayOutputStream();

        boolean found = agent.streamProc(NetnsTarget.OWN, "net/nf_conntrack", Duration.ofSeconds(5),
                stdout -> stdout.transferTo(seen));

        assertThat(found).isTrue();
        assertThat(seen.toString(StandardCharsets.UTF_8)).isEqualTo(table);
        assertThat(agent.procExists("net/nf_conntrack")).isTrue();
    }

    @Test
    void aMissingProcFileIsNotStreamedAndSaysSo() {
        HostAgent agent = agent(HostMode.DIRECT);

        boolean found = agent.streamProc(NetnsTarget.OWN, "net/nf_conntrack", Duration.ofSeconds(5), stdout -> {
            throw new AssertionError("nothing to stream");
        });

        assertThat(found).isFalse();
        assertThat(agent.procExists("net/nf_conntrack")).isFalse();
    }

    @Test
    void streamingInAnUnknownNamespaceIsA404BeforeAnythingRuns() {
        HostAgent agent = agent(HostMode.DIRECT);

        assertThatThrownBy(() -> agent.streamProc(NetnsTarget.parse("ghost"), "net/nf_conntrack",
                Duration.ofSeconds(5), stdout -> {
                    throw new AssertionError("nothing to stream");
                })).isInstanceOfSatisfying(OperatorProblem.class,
                        problem -> assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND));
    }
}
