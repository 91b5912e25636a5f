package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.testsupport.AgentProcess;
import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.TestApiKeys;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stock Prometheus (Debian's package) scrapes the agent with a viewer key from a credentials file,
 * sent as Authorization: Bearer, with publicMetrics off: that target is up, and the same target
 * without the key is down with 401. Everything on loopback, bounded in time.
 */
class PrometheusScrapeIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path temp;

    @Test
    void prometheusScrapesWithAKeyFileAndTheTargetIsUp() throws Exception {
        HostPrerequisites.require("prometheus");
        FakeHost host = FakeHost.copyTo(Files.createDirectories(temp.resolve("host")));
        try (AgentProcess agent = AgentProcess.start(temp,
                "--ctagent.host.proc-root=" + host.proc(), "--ctagent.host.sys-root=" + host.sys(),
                "--ctagent.host.rootfs=" + host.root(), "--ctagent.host.mode=dry-run",
                "--ctagent.audit.path=" + temp.resolve("audit.jsonl"),
                "--ctagent.notrack.state-file=" + temp.resolve("notrack.json"),
                "--ctagent.monitor.kmsg-path=" + temp.resolve("no-kmsg"),
                "--ctagent.security.public-metrics=false")) {
            Path keyFile = Files.writeString(temp.resolve("scrape.key"), TestApiKeys.VIEWER + "\n");
            int port = freePort();
            Path config = Files.writeString(temp.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                    scrape_configs:
                      - job_name: with-key
                        metrics_path: /actuator/prometheus
                        authorization:
                          credentials_file: %s
                        static_configs:
                          - targets: ["127.0.0.1:%d"]
                      - job_name: without-key
                        metrics_path: /actuator/prometheus
                        static_configs:
                          - targets: ["127.0.0.1:%d"]
                    """.formatted(keyFile, agent.port(), agent.port()));
            Process prometheus = new ProcessBuilder(HostPrerequisites.which("prometheus"),
                    "--config.file=" + config, "--storage.tsdb.path=" + temp.resolve("tsdb"),
                    "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(temp.resolve("prometheus.log").toFile()).start();
            try {
                Map<String, JsonNode> targets = awaitScraped(port, Duration.ofSeconds(60));
                assertThat(targets.get("with-key").path("health").asString())
                        .as("with-key target: " + targets.get("with-key")).isEqualTo("up");
                assertThat(targets.get("without-key").path("health").asString()).isEqualTo("down");
                assertThat(targets.get("without-key").path("lastError").asString()).contains("401");
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Both targets by job, once each has been scraped at least once. */
    private static Map<String, JsonNode> awaitScraped(int port, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        Map<String, JsonNode> byJob = new HashMap<>();
        while (System.nanoTime() < deadline) {
            byJob.clear();
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/api/v1/targets?state=active"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode active = JsonMapper.builder().build().readTree(response.body()).path("data").path("activeTargets");
                for (JsonNode target : active) {
                    if (!target.path("health").asString().equals("unknown")) {
                        byJob.put(target.path("labels").path("job").asString(), target);
                    }
                }
                if (byJob.keySet().containsAll(List.of("with-key", "without-key"))) {
                    return byJob;
                }
            } catch (IOException notYet) {
                // Prometheus is still starting.
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Prometheus did not scrape both targets within " + limit + ": " + byJob);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
