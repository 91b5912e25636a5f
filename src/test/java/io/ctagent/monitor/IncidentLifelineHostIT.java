package io.ctagent.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ctagent.testsupport.AgentProcess;
import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.KernelValues;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.testsupport.TrafficGenerator;
import tools.jackson.databind.JsonNode;

/**
 * The lifeline on the real kernel: the agent runs inside a lab namespace (as an operator would run it
 * on a host), the namespace's table is filled with held TCP connections at a small global max until
 * the kernel drops, and the agent must still answer every read within 1 s, to requests made inside
 * that namespace. A second agent in the same namespace with the lifeline off does not answer at all:
 * the lifeline is what makes the difference. And where the firewall accepts the port only by
 * connection state, the agent refuses the lifeline, says why, and stays reachable.
 */
class IncidentLifelineHostIT {

    private static final long DRILL_MAX = 1000;
    private static final String MAX = "net.netfilter.nf_conntrack_max";
    private static final Duration ANSWER = Duration.ofSeconds(1);
    private static final List<String> READS = List.of("/api/v1/conntrack/usage", "/api/v1/diagnosis",
            "/api/v1/events");

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "iptables", "nft", "conntrack", "nsenter", "sysctl", "curl");
    }

    @Test
    void duringAFullTableTheAgentAnswersOnlyThroughItsLifeline() throws Exception {
        long originalMax = KernelValues.read(MAX);
        Path work = Files.createTempDirectory("ctagent-lifeline");
        TrafficGenerator.Run filler = null;
        try (LabNamespace lab = LabNamespace.create()) {
            AgentProcess on = null;
            AgentProcess off = null;
            try {
                on = AgentProcess.startIn(lab.name(), freePort(), work, agentArguments(work, "on", true));
                off = AgentProcess.startIn(lab.name(), freePort(), work, agentArguments(work, "off", false));
                HostApi onApi = on.api().timeout(ANSWER);

                JsonNode lifeline = onApi.get("/api/v1/agent").get("lifeline");
                assertThat(lifeline.get("installed").asBoolean()).as(lifeline.toString()).isTrue();
                assertThat(lifeline.get("backend").asString()).isEqualTo("nftables");
                assertThat(lifeline.get("ports").get(0).asInt()).isEqualTo(on.port());
                assertThat(off.api().timeout(ANSWER).get("/api/v1/agent").get("lifeline")
                        .get("installed").asBoolean()).isFalse();
                assertThat(lab.exec("nft", "list", "table", "inet", "conntrack_agent"))
                        .contains("tcp dport " + on.port(), "tcp sport " + on.port(), "ctagent:lifeline")
                        .doesNotContain("dport " + off.port());

                JsonNode rules = onApi.get("/api/v1/notrack/rules");
                JsonNode system = rules.get("rules").get(0);
                assertThat(system.get("id").asString()).isEqualTo("lifeline");
                assertThat(system.get("system").asBoolean()).isTrue();
                assertThat(system.get("inKernel").asBoolean()).isTrue();
                HttpResponse<String> delete = onApi.send("DELETE", "/api/v1/notrack/rules/lifeline", TestApiKeys.ADMIN,
                        null);
                assertThat(delete.statusCode()).as(delete.body()).isEqualTo(409);
                assertThat(delete.body()).contains("ctagent.lifeline.enabled");
                assertThat(Files.readString(work.resolve("audit-on.jsonl")))
                        .contains("\"action\":\"notrack.lifeline.add\"", "\"actor\":\"system\"");

                // Reconcile restores it like any owned rule.
                lab.exec("nft", "delete", "table", "inet", "conntrack_agent");
                awaitLifelineInKernel(lab, on.port());

                // Only the filler's held connections fill the table: no short-lived entry (a closed request's)
                // expires during the test and frees a slot for the agent without the lifeline.
                lab.exec("conntrack", "-F");
                LabNamespace.run("sysctl", "-w", MAX + "=" + DRILL_MAX);
                filler = TrafficGenerator.startIn(lab, "tcp-fill", String.valueOf(DRILL_MAX + 100), "18181");
                String opened = filler.firstLine();
                assertThat(opened).startsWith("OPEN ");
                assertThat(Long.parseLong(opened.substring(5))).isBetween(DRILL_MAX - 10, DRILL_MAX);
                assertThat(lab.conntrackCount()).isGreaterThanOrEqualTo(DRILL_MAX - 10);

                List<Long> millis = new ArrayList<>();
                for (String path : READS) {
                    for (int i = 0; i < 5; i++) {
                        long start = System.nanoTime();
                        HttpResponse<String> answer = onApi.send("GET", path, TestApiKeys.VIEWER, null);
                        long took = (System.nanoTime() - start) / 1_000_000;
                        assertThat(answer.statusCode()).as("GET " + path + " #" + (i + 1) + " during the full table: "
                                + answer.body()).isEqualTo(200);
                        assertThat(took).isLessThan(ANSWER.toMillis());
                        millis.add(took);
                    }
                }
                HostApi offWithin3s = off.api().timeout(Duration.ofSeconds(3));
                for (String path : READS) {
                    assertThatThrownBy(() -> offWithin3s.send("GET", path, TestApiKeys.VIEWER, null))
                            .as("GET " + path + " without the lifeline").isInstanceOf(IOException.class);
                }
                System.out.println("lifeline: 15 reads during a full table, slowest " + millis.stream()
                        .mapToLong(Long::longValue).max().orElse(0) + " ms, mean " + millis.stream()
                        .mapToLong(Long::longValue).average().orElse(0) + " ms");
            } finally {
                if (filler != null) {
                    filler.close();
                }
                LabNamespace.run("sysctl", "-w", MAX + "=" + originalMax);
                if (off != null) {
                    off.close();
                }
                if (on != null) {
                    on.close();
                    // A graceful stop takes the lifeline away.
                    assertThat(lab.exec("nft", "list", "ruleset")).doesNotContain("ctagent:lifeline");
                }
            }
        } finally {
            assertThat(KernelValues.read(MAX)).isEqualTo(originalMax);
        }
    }

    @Test
    void aFirewallThatAcceptsThePortOnlyByStateGetsNoLifelineAndTheAgentStaysReachable() throws Exception {
        Path work = Files.createTempDirectory("ctagent-lifeline-refused");
        try (LabNamespace lab = LabNamespace.create()) {
            int port = freePort();
            lab.exec("iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j",
                    "ACCEPT");
            lab.exec("iptables", "-A", "INPUT", "-p", "tcp", "--dport", String.valueOf(port), "-m", "conntrack",
                    "--ctstate", "NEW", "-j", "ACCEPT");
            lab.exec("iptables", "-P", "INPUT", "DROP");
            try (AgentProcess agent = AgentProcess.startIn(lab.name(), port, work,
                    agentArguments(work, "refused", true))) {
                HostApi api = agent.api().timeout(ANSWER);
                JsonNode lifeline = api.get("/api/v1/agent").get("lifeline");
                assertThat(lifeline.get("enabled").asBoolean()).isTrue();
                assertThat(lifeline.get("installed").asBoolean()).isFalse();
                assertThat(lifeline.get("reason").asString()).contains("filter INPUT drops by default",
                        String.valueOf(port));
                assertThat(lifeline.get("ruleToAdd").asString()).contains("--ctstate UNTRACKED",
                        String.valueOf(port));
                assertThat(lab.exec("nft", "list", "ruleset")).doesNotContain("ctagent:lifeline");

                JsonNode diagnosis = api.get("/api/v1/diagnosis");
                assertThat(diagnosis.get("findings").toString()).contains("lifeline-not-installed", "UNTRACKED");
                JsonNode events = api.get("/api/v1/events?type=LIFELINE");
                assertThat(events.toString()).contains("Lifeline not installed");
                for (int i = 0; i < 5; i++) {
                    api.get("/api/v1/conntrack/usage");
                }
            }
        }
    }

    private static String[] agentArguments(Path work, String name, boolean lifeline) {
        return new String[] {
                "--ctagent.host.mode=direct",
                "--ctagent.audit.path=" + work.resolve("audit-" + name + ".jsonl"),
                "--ctagent.notrack.state-file=" + work.resolve("notrack-" + name + ".json"),
                "--ctagent.notrack.reconcile-interval=1s",
                "--ctagent.lifeline.enabled=" + lifeline,
        };
    }

    private static void awaitLifelineInKernel(LabNamespace lab, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String ruleset = "";
        while (System.nanoTime() < deadline) {
            ruleset = lab.exec("nft", "list", "ruleset");
            if (ruleset.contains("ctagent:lifeline") && ruleset.contains("tcp dport " + port)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("reconcile did not restore the lifeline within 10 s:\n" + ruleset);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
