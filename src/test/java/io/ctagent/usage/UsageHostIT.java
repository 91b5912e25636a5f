package io.ctagent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.testsupport.TrafficGenerator;
import io.ctagent.testsupport.SpecValidation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Real kernel: N TCP connections on a lab namespace's loopback must show up as count N in
 * GET /api/v1/conntrack/usage?netns=..., and the stats must agree with `conntrack -S` there.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UsageHostIT {

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        TestApiKeys.register(registry);
    }

    private static final int CONNECTIONS = 40;

    @LocalServerPort
    int port;

    @Autowired
    ObjectMapper json;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "iptables", "conntrack", "nsenter");
    }

    @Test
    void usageInALabNamespaceCountsItsConnectionsAndStatsAgreeWithConntrackS() throws Exception {
        try (LabNamespace lab = LabNamespace.create()) {
            Process generator = lab.start(javaBinary(), "-cp", testClasses(), TrafficGenerator.class.getName(),
                    "tcp-hold", String.valueOf(CONNECTIONS), "18080");
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(generator.getInputStream(),
                        StandardCharsets.UTF_8));
                assertThat(out.readLine()).isEqualTo("READY " + CONNECTIONS);

                JsonNode usage = get("/api/v1/conntrack/usage?netns=" + lab.name());
                assertThat(usage.get("netns").asText()).isEqualTo(lab.name());
                assertThat(usage.get("count").asLong()).isEqualTo(CONNECTIONS);
                assertThat(usage.get("count").asLong()).isEqualTo(lab.conntrackCount());
                assertThat(usage.get("max").asLong()).isPositive();

                JsonNode stats = get("/api/v1/conntrack/stats?netns=" + lab.name());
                List<Map<String, Long>> conntrackS = parseConntrackS(lab.exec("conntrack", "-S"));
                assertThat(stats.get("perCpu")).hasSize(conntrackS.size());
                for (int cpu = 0; cpu < conntrackS.size(); cpu++) {
                    Map<String, Long> expected = conntrackS.get(cpu);
                    JsonNode actual = stats.get("perCpu").get(cpu);
                    assertThat(actual.get("found").asLong()).as("cpu %d found", cpu).isEqualTo(expected.get("found"));
                    assertThat(actual.get("invalid").asLong()).isEqualTo(expected.get("invalid"));
                    assertThat(actual.get("insert").asLong()).isEqualTo(expected.get("insert"));
                    assertThat(actual.get("insertFailed").asLong()).isEqualTo(expected.get("insert_failed"));
                    assertThat(actual.get("drop").asLong()).isEqualTo(expected.get("drop"));
                    assertThat(actual.get("earlyDrop").asLong()).isEqualTo(expected.get("early_drop"));
                    assertThat(actual.get("searchRestart").asLong()).isEqualTo(expected.get("search_restart"));
                }
                assertThat(stats.get("totals").get("entries").asLong()).isEqualTo(CONNECTIONS);
            } finally {
                generator.getOutputStream().close();
                if (!generator.waitFor(10, TimeUnit.SECONDS)) {
                    generator.destroyForcibly();
                }
            }
        }
    }

    @Test
    void anUnknownNamespaceIsA404Problem() throws Exception {
        HttpResponse<String> response = SpecValidation.check(http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/v1/conntrack/usage?netns=ctlab-does-not-exist"))
                        .header(TestApiKeys.HEADER, TestApiKeys.VIEWER).build(),
                HttpResponse.BodyHandlers.ofString()));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    /** "cpu=0 found=0 invalid=0 insert=0 ..." per line. */
    static List<Map<String, Long>> parseConntrackS(String text) {
        return text.lines().filter(line -> line.startsWith("cpu=")).map(line -> {
            Map<String, Long> values = new HashMap<>();
            for (String pair : line.trim().split("\\s+")) {
                String[] kv = pair.split("=");
                values.put(kv[0], Long.parseLong(kv[1]));
            }
            return values;
        }).toList();
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = SpecValidation.check(http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header(TestApiKeys.HEADER, TestApiKeys.VIEWER).build(),
                HttpResponse.BodyHandlers.ofString()));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
    }

    static String testClasses() throws Exception {
        return Path.of(TrafficGenerator.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
