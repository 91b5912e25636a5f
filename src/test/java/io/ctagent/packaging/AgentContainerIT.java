package io.ctagent.packaging;

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
import java.util.Objects;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

import com.github.dockerjava.api.model.Capability;

import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.testsupport.SpecValidation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The image built from the Dockerfile, run as the chart runs it: host network and the host's
 * /proc and /sys under /host. NET_ADMIN and SYS_ADMIN instead of --privileged, because this
 * machine's capability bounding set lacks CAP_SYS_RESOURCE (privileged would fail to start).
 * Needs scripts/setup-container-host.sh (dockerd and the local base image).
 */
class AgentContainerIT {

    static final String BASE_IMAGE = Objects.requireNonNullElse(System.getenv("CTAGENT_BASE_IMAGE"),
            "local/jre17:bookworm");

    static GenericContainer<?> agent;
    static Path stateDir;
    static int port;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void startAgentContainer() throws Exception {
        HostPrerequisites.require();
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            if (HostPrerequisites.onCi()) {
                Assertions.fail("CI=true but Docker is not available: run scripts/setup-container-host.sh");
            }
            Assumptions.assumeTrue(false, "skipped: Docker is not available");
        }
        stateDir = Files.createTempDirectory("ctagent-container-state");
        port = freePort();
        ImageFromDockerfile image = new ImageFromDockerfile("ctagent-it/conntrack-agent", true)
                .withFileFromPath(".", Path.of("."))
                .withBuildArg("BASE_IMAGE", BASE_IMAGE);
        agent = new GenericContainer<>(image)
                .withNetworkMode("host")
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withCapAdd(Capability.NET_ADMIN, Capability.SYS_ADMIN))
                .withFileSystemBind("/proc", "/host/proc")
                .withFileSystemBind("/sys", "/host/sys")
                .withFileSystemBind(stateDir.toString(), "/var/lib/conntrack-agent")
                .withEnv("SERVER_PORT", String.valueOf(port))
                // Host network: the lifeline would NOTRACK this machine's own traffic to the port.
                .withEnv("CTAGENT_LIFELINE_ENABLED", "false")
                .withEnv("CTAGENT_SECURITY_API_KEYS_0_NAME", "container-test")
                .withEnv("CTAGENT_SECURITY_API_KEYS_0_SHA256", TestApiKeys.sha256(TestApiKeys.ADMIN))
                .withEnv("CTAGENT_SECURITY_API_KEYS_0_ROLES", "admin")
                .waitingFor(Wait.forLogMessage(".*Started ConntrackAgentApplication.*", 1)
                        .withStartupTimeout(Duration.ofMinutes(2)));
        agent.start();
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.stop();
        }
    }

    @Test
    void theImageRunsTheAotBeansWithTheClassDataSharingArchiveItMadeAtBuildTime() throws Exception {
        assertThat(agent.getLogs()).contains("Starting AOT-processed ConntrackAgentApplication");
        assertThat(agent.execInContainer("cat", "/proc/1/maps").getStdout()).contains("/app/conntrack-agent.jsa");
    }

    @Test
    void usageInTheContainerIsTheHostsUsage() throws Exception {
        JsonNode usage = get("/api/v1/conntrack/usage");

        assertThat(usage.get("max").asLong()).isEqualTo(hostValue("nf_conntrack_max"));
        assertThat(usage.get("buckets").asLong()).isEqualTo(hostValue("nf_conntrack_buckets"));
        // The host's count moves with its own traffic; it must be the host's, not an empty container table.
        assertThat(usage.get("count").asLong()).isCloseTo(hostValue("nf_conntrack_count"),
                org.assertj.core.data.Offset.offset(50L));
    }

    @Test
    void theAgentReadsTheHostThroughTheHostMounts() throws Exception {
        JsonNode agentInfo = get("/api/v1/agent");

        assertThat(agentInfo.get("roots").get("procRoot").asText()).isEqualTo("/host/proc");
        assertThat(agentInfo.get("mode").asText()).isEqualTo("DIRECT");
        assertThat(agentInfo.get("tools").get("conntrack").asText()).isNotBlank();
        assertThat(agentInfo.get("tools").get("nft").asText()).isNotBlank();
        assertThat(agentInfo.get("tools").get("nsenter").asText()).isNotBlank();
    }

    @Test
    void aSysctlChangeThroughTheApiReachesTheHostAndIsAuditedOnTheMountedDirectory() throws Exception {
        String key = "nf_conntrack_tcp_timeout_close";
        long original = hostValue(key);
        long changed = original == 11 ? 12 : 11;
        try {
            HttpResponse<String> put = SpecValidation.check(HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/v1/sysctls/net.netfilter." + key))
                    .header(TestApiKeys.HEADER, TestApiKeys.ADMIN).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": " + changed + "}")).build(),
                    HttpResponse.BodyHandlers.ofString()));

            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            assertThat(hostValue(key)).isEqualTo(changed);
            Path audit = stateDir.resolve("audit.jsonl");
            assertThat(audit).exists();
            assertThat(Files.readString(audit)).contains("net.netfilter." + key, "APPLIED");
        } finally {
            io.ctagent.testsupport.LabNamespace.run("sysctl", "-w", "net.netfilter." + key + "=" + original);
        }
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> response = SpecValidation.check(HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).header(TestApiKeys.HEADER, TestApiKeys.ADMIN).build(),
                HttpResponse.BodyHandlers.ofString()));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    static long hostValue(String sysctl) throws IOException {
        return Long.parseLong(new String(Files.newInputStream(Path.of("/proc/sys/net/netfilter", sysctl))
                .readNBytes(64)).strip());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
