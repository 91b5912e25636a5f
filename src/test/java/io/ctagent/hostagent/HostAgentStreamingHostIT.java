package io.ctagent.hostagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.problem.OperatorProblem;

/** Real kernel: streaming a proc file and a command of a lab namespace through nsenter. */
class HostAgentStreamingHostIT {

    private final HostAgent agent;

    HostAgentStreamingHostIT() {
        HostProperties properties = TestHostProperties.withMode("/proc", "/sys", "/", HostMode.DIRECT);
        agent = new HostAgent(properties, new HostPaths(properties), new Tools(properties),
                new CommandRunner(properties));
    }

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "iptables", "conntrack", "nsenter");
    }

    @Test
    void streamsTheProcFileOfANamedNamespaceAsCatSeesIt() {
        try (LabNamespace lab = LabNamespace.create()) {
            NetnsTarget netns = NetnsTarget.parse(lab.name());
            ByteArrayOutputStream seen = new ByteArrayOutputStream();

            boolean found = agent.streamProc(netns, "sys/net/netfilter/nf_conntrack_udp_timeout",
                    Duration.ofSeconds(10), stdout -> stdout.transferTo(seen));

            assertThat(found).isTrue();
            assertThat(seen.toString(StandardCharsets.US_ASCII))
                    .isEqualTo(lab.exec("cat", "/proc/sys/net/netfilter/nf_conntrack_udp_timeout"));
        }
    }

    @Test
    void asRootTheTableOfANamedNamespaceIsReadDirectlyAndItIsThatNamespacesTable() {
        try (LabNamespace lab = LabNamespace.create()) {
            for (int port = 41001; port <= 41003; port++) {
                lab.exec("conntrack", "-I", "-p", "udp", "-s", "127.0.0.1", "-d", "127.0.0.2", "--sport", "40000",
                        "--dport", String.valueOf(port), "-t", "600");
            }
            ByteArrayOutputStream seen = new ByteArrayOutputStream();

            // streamProc takes this path as root; called directly so a silent fallback to cat cannot pass.
            java.util.Optional<Boolean> found = agent.streamDirect(NetnsTarget.parse(lab.name()), "net/nf_conntrack",
                    stdout -> stdout.transferTo(seen));

            assertThat(found).hasValue(true);
            List<String> lines = seen.toString(StandardCharsets.US_ASCII).lines().toList();
            assertThat(lines).hasSize(3).allMatch(line -> line.contains("sport=40000 dport=4100"));
            assertThat(lines.stream().map(line -> line.replaceAll(" udp +17 \\d+ ", " udp 17 T ")).toList())
                    .containsExactlyInAnyOrderElementsOf(lab.exec("cat", "/proc/net/nf_conntrack").lines()
                            .map(line -> line.replaceAll(" udp +17 \\d+ ", " udp 17 T ")).toList());
        }
    }

    @Test
    void aMissingFileInANamedNamespaceIsFalseNotAnError() {
        try (LabNamespace lab = LabNamespace.create()) {
            assertThat(agent.streamDirect(NetnsTarget.parse(lab.name()), "net/no_such_table", stdout -> {
                throw new AssertionError("nothing to stream");
            })).hasValue(false);
            boolean found = agent.streamProc(NetnsTarget.parse(lab.name()), "net/no_such_table",
                    Duration.ofSeconds(10), stdout -> stdout.transferTo(java.io.OutputStream.nullOutputStream()));

            assertThat(found).isFalse();
        }
    }

    @Test
    void aConsumerThatStopsEarlyIsNotAFailure() {
        try (LabNamespace lab = LabNamespace.create()) {
            boolean found = agent.streamProc(NetnsTarget.parse(lab.name()), "self/maps", Duration.ofSeconds(10),
                    stdout -> stdout.readNBytes(16));

            assertThat(found).isTrue();
        }
    }

    @Test
    void streamsACommandOfANamedNamespace() {
        try (LabNamespace lab = LabNamespace.create()) {
            ByteArrayOutputStream seen = new ByteArrayOutputStream();

            CommandResult result = agent.streamCommand(NetnsTarget.parse(lab.name()), Tool.CONNTRACK,
                    List.of("-L", "-o", "extended"), Duration.ofSeconds(10), stdout -> stdout.transferTo(seen));

            assertThat(result.succeeded()).isTrue();
            assertThat(result.stderr()).contains("flow entries have been shown");
            assertThat(seen.size()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void aCutShortReadIsAProblemNotAShortFile() {
        try (LabNamespace lab = LabNamespace.create()) {
            // kallsyms is megabytes: cat blocks on the full pipe while the consumer dawdles past the timeout.
            assertThatThrownBy(() -> agent.streamProc(NetnsTarget.parse(lab.name()), "kallsyms",
                    Duration.ofMillis(300), stdout -> {
                        sleep(1000);
                        stdout.transferTo(java.io.OutputStream.nullOutputStream());
                    })).isInstanceOfSatisfying(OperatorProblem.class,
                            problem -> assertThat(problem.getBody().getDetail()).contains("Timed out"));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
