package io.ctagent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.testsupport.TrafficGenerator;
import tools.jackson.databind.JsonNode;

/**
 * Real kernel: N TCP connections on a lab namespace's loopback must show up as count N in
 * GET /api/v1/conntrack/usage?netns=..., and the stats must agree with `conntrack -S` there.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(HostApi.class)
class UsageHostIT {

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        TestApiKeys.register(registry);
    }

    private static final int CONNECTIONS = 40;

    @Autowired
    HostApi api;

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "iptables", "conntrack", "nsenter");
    }

    @Test
    void usageInALabNamespaceCountsItsConnectionsAndStatsAgreeWithConntrackS() throws Exception {
        try (LabNamespace lab = LabNamespace.create()) {
            try (TrafficGenerator.Run generator = TrafficGenerator.startIn(lab, "tcp-hold", String.valueOf(CONNECTIONS),
                    "18080")) {
                assertThat(generator.firstLine()).isEqualTo("READY " + CONNECTIONS);

                JsonNode usage = api.get("/api/v1/conntrack/usage?netns=" + lab.name());
                assertThat(usage.get("netns").asText()).isEqualTo(lab.name());
                assertThat(usage.get("count").asLong()).isEqualTo(CONNECTIONS);
                assertThat(usage.get("count").asLong()).isEqualTo(lab.conntrackCount());
                assertThat(usage.get("max").asLong()).isPositive();

                JsonNode stats = api.get("/api/v1/conntrack/stats?netns=" + lab.name());
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
            }
        }
    }

    @Test
    void anUnknownNamespaceIsA404Problem() throws Exception {
        HttpResponse<String> response = api.send("GET", "/api/v1/conntrack/usage?netns=ctlab-does-not-exist",
                TestApiKeys.VIEWER, null);

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
}
