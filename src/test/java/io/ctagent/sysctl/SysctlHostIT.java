package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.KernelValues;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.testsupport.SpecValidation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Real kernel: a timeout changed in a lab namespace through ?netns= (the host's own value stays), and
 * nf_conntrack_max and the hash table changed in the initial namespace, always restored in finally.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ctagent.host.mode=direct")
class SysctlHostIT {

    private static final String UDP = "net.netfilter.nf_conntrack_udp_timeout";
    private static final AuditTrail AUDIT = AuditTrail.inTempDir("ctagent-sysctl-hostit-audit");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestApiKeys.register(registry);
        AUDIT.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    ObjectMapper json;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "iptables", "conntrack", "nsenter", "sysctl");
    }

    @Test
    void aTimeoutChangedInALabNamespaceIsReadBackThereAndTheHostKeepsItsOwn() throws Exception {
        long hostBefore = kernel("nf_conntrack_udp_timeout");
        try (LabNamespace lab = LabNamespace.create()) {
            String ns = "?netns=" + lab.name();
            JsonNode before = send("GET", "/api/v1/sysctls/" + UDP + ns, null, 200);
            assertThat(before.get("netns").asText()).isEqualTo(lab.name());
            assertThat(before.get("writable").asBoolean()).isTrue();
            long wanted = before.get("value").asLong() + 17;

            JsonNode change = send("PUT", "/api/v1/sysctls/" + UDP + ns, "{\"value\": " + wanted + "}", 200);

            assertThat(change.get("result").asText()).isEqualTo("APPLIED");
            AuditTrail.Change audited = AUDIT.change(change.get("auditId").asText());
            assertThat(audited.result()).isEqualTo("APPLIED");
            assertThat(audited.intent().get("target").asText()).isEqualTo("netns:" + lab.name() + "/" + UDP);
            assertThat(audited.outcome().at("/after/netns").asText()).isEqualTo(lab.name());
            assertThat(audited.outcome().get("commands").get(0).get("argv").toString()).contains("nsenter");
            assertThat(audited.outcome().get("commands").get(0).get("exitCode").asInt()).isZero();
            assertThat(change.get("commands").get(0).toString()).contains("nsenter")
                    .contains("--net=/run/netns/" + lab.name()).contains(UDP + "=" + wanted);
            assertThat(send("GET", "/api/v1/sysctls/" + UDP + ns, null, 200).get("value").asLong()).isEqualTo(wanted);
            assertThat(lab.exec("sysctl", "-n", UDP).strip()).isEqualTo(String.valueOf(wanted));
            assertThat(kernel("nf_conntrack_udp_timeout")).isEqualTo(hostBefore);

            JsonNode list = send("GET", "/api/v1/sysctls" + ns, null, 200);
            assertThat(list.findValuesAsString("key")).contains(UDP).doesNotContain("net.nf_conntrack_max");
            JsonNode refused = send("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max" + ns,
                    "{\"value\": 300000}", 409);
            assertThat(refused.get("detail").asText()).contains("initial one");
        }
        assertThat(kernel("nf_conntrack_udp_timeout")).isEqualTo(hostBefore);
    }

    @Test
    void maxAndTheHashTableChangeInTheInitialNamespaceAndAreRestored() throws Exception {
        long max = kernel("nf_conntrack_max");
        long buckets = kernel("nf_conntrack_buckets");
        // What finally puts back must be right: refuse to start from values no host runs with.
        assertThat(max).as("nf_conntrack_max before the test").isGreaterThanOrEqualTo(1024);
        assertThat(buckets).as("nf_conntrack_buckets before the test").isGreaterThanOrEqualTo(1024);
        try {
            JsonNode raised = send("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max",
                    "{\"value\": " + (max + 1024) + "}", 200);
            assertThat(raised.get("result").asText()).isEqualTo("APPLIED");
            assertThat(AUDIT.change(raised.get("auditId").asText()).result()).isEqualTo("APPLIED");
            assertThat(kernel("nf_conntrack_max")).isEqualTo(max + 1024);
            // Both names are one kernel variable.
            assertThat(send("GET", "/api/v1/sysctls/net.nf_conntrack_max", null, 200).get("value").asLong())
                    .isEqualTo(max + 1024);

            long wanted = buckets + 512;
            JsonNode resized = send("PUT", "/api/v1/hashsize", "{\"value\": " + wanted + "}", 200);
            assertThat(resized.get("result").asText()).isEqualTo("APPLIED");
            assertThat(AUDIT.change(resized.get("auditId").asText()).result()).isEqualTo("APPLIED");
            assertThat(kernel("nf_conntrack_buckets")).isEqualTo(wanted);
            JsonNode table = send("GET", "/api/v1/hashsize", null, 200);
            assertThat(table.get("buckets").asLong()).isEqualTo(wanted);
            if (table.hasNonNull("hashsize")) {
                assertThat(table.get("hashsize").asLong()).isEqualTo(wanted);
            }

            JsonNode planned = send("PUT", "/api/v1/hashsize", "{\"value\": " + (buckets + 4096) + ", \"dryRun\": true}",
                    200);
            assertThat(planned.get("result").asText()).isEqualTo("DRY_RUN");
            assertThat(AUDIT.change(planned.get("auditId").asText()).result()).isEqualTo("DRY_RUN");
            assertThat(kernel("nf_conntrack_buckets")).isEqualTo(wanted);

            // Rolled back through the API: max is back, audited as a new change.
            JsonNode rollback = send("POST", "/api/v1/sysctls/rollback",
                    "{\"auditId\": \"" + raised.get("auditId").asText() + "\"}", 200);
            assertThat(rollback.get("result").asText()).isEqualTo("APPLIED");
            assertThat(AUDIT.change(rollback.get("auditId").asText()).result()).isEqualTo("APPLIED");
            assertThat(kernel("nf_conntrack_max")).isEqualTo(max);
        } finally {
            // Put back with the host's own tool, independent of the code under test.
            LabNamespace.run("sysctl", "-w", "net.netfilter.nf_conntrack_buckets=" + buckets);
            LabNamespace.run("sysctl", "-w", "net.netfilter.nf_conntrack_max=" + max);
        }
        assertThat(kernel("nf_conntrack_max")).isEqualTo(max);
        assertThat(kernel("nf_conntrack_buckets")).isEqualTo(buckets);
    }

    @Test
    void badInputOverRealHttpIs400AndChangesNothing() throws Exception {
        long max = kernel("nf_conntrack_max");

        for (String body : new String[] {"{\"value\": \"abc\"}", "{\"value\": -1}", "{\"value\": 9223372036854775808}",
                "{\"value\": \"300000\\n\"}", "{\"value\": \"300000; reboot\"}"}) {
            assertThat(send("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max", body, 400).get("field").asText())
                    .isEqualTo("value");
        }
        for (String key : new String[] {"net.netfilter.nf_conntrack_max%20", "%24(reboot)", "net..x"}) {
            assertThat(send("PUT", "/api/v1/sysctls/" + key, "{\"value\": 300000}", 400).get("field").asText())
                    .isEqualTo("key");
        }
        assertThat(kernel("nf_conntrack_max")).isEqualTo(max);
    }

    private static long kernel(String file) {
        return KernelValues.read("net.netfilter." + file);
    }

    private JsonNode send(String method, String path, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .header(TestApiKeys.HEADER, method.equals("GET") ? TestApiKeys.VIEWER : TestApiKeys.OPERATOR)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = SpecValidation.check(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expected);
        return json.readTree(response.body());
    }
}
