package io.ctagent.audit;

import static io.ctagent.testsupport.KeyedRequests.admin;
import static io.ctagent.testsupport.KeyedRequests.delete;
import static io.ctagent.testsupport.KeyedRequests.get;
import static io.ctagent.testsupport.KeyedRequests.patch;
import static io.ctagent.testsupport.KeyedRequests.post;
import static io.ctagent.testsupport.KeyedRequests.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;

import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.TestApiKeys;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 3: every attempted change leaves exactly one record, also when the agent refuses it before
 * its intent: a guard, a stale ETag, a read-only key or table, an unknown key, namespace or change,
 * a match-all NOTRACK rule without the admin role. Such a refusal is one record with result FAILED
 * (DENIED for a 403), the caller as every record has it, the action and target the change would
 * have had, and the problem's type and detail as reason; the host is not touched. Over HTTP, on a
 * fake host tree in direct mode.
 */
@SpringBootTest
@AutoConfigureMockMvc
class RefusedChangesAreAuditedTest {

    static final Path DIR = tempDir();
    static final AuditTrail AUDIT = AuditTrail.inTempDir("ctagent-refusals-audit");
    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String MAX_KEY = "net.netfilter.nf_conntrack_max";
    static final String UDP_KEY = "net.netfilter.nf_conntrack_udp_timeout";
    static final List<String> WATCHED = List.of("proc/sys/net/netfilter/nf_conntrack_max",
            "proc/sys/net/netfilter/nf_conntrack_udp_timeout", "proc/sys/net/netfilter/nf_conntrack_count",
            "proc/sys/net/netfilter/nf_conntrack_buckets", "sys/module/nf_conntrack/parameters/hashsize");

    static FakeHost host;
    int recordsBefore;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        FakeHost.register(registry, DIR, "direct");
        registry.add("ctagent.notrack.state-file", () -> DIR.resolve("var/notrack.json").toString());
        TestApiKeys.register(registry);
        AUDIT.register(registry);
    }

    @Autowired
    MockMvc mvc;

    @BeforeEach
    void freshHost() throws IOException {
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(DIR)).toList()) {
                Files.delete(path);
            }
        }
        host = FakeHost.copyTo(DIR);
        for (String file : WATCHED) {
            Files.setLastModifiedTime(DIR.resolve(file), FileTime.fromMillis(0));
        }
        recordsBefore = AUDIT.records().size();
    }

    @AfterEach
    void theHostWasNotTouched() throws IOException {
        for (String file : WATCHED) {
            if (Files.exists(DIR.resolve(file))) {
                assertThat(Files.getLastModifiedTime(DIR.resolve(file)).toMillis()).as(file).isZero();
            }
        }
        assertThat(DIR.resolve("etc/sysctl.d/90-conntrack-agent.conf")).doesNotExist();
        assertThat(AUDIT.intents()).as("changes let through to the host").isZero();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("ctagent-refusals");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ResultActions send(MockHttpServletRequestBuilder request, String body) throws Exception {
        return mvc.perform(request.header("X-Request-Id", "trace-refusal").contentType(MediaType.APPLICATION_JSON)
                .content(body));
    }

    /** The one record the last request left, checked to carry the caller as every record does. */
    private JsonNode onlyNewRecord(String result, String action, String target) {
        List<JsonNode> records = AUDIT.records();
        assertThat(records).as("records left by the refusal").hasSize(recordsBefore + 1);
        JsonNode record = records.get(records.size() - 1);
        assertThat(record.get("phase").asString()).isEqualTo("rejected");
        assertThat(record.get("result").asString()).isEqualTo(result);
        assertThat(record.get("action").asString()).isEqualTo(action);
        assertThat(record.get("target").asString()).isEqualTo(target);
        assertThat(record.get("requestId").asString()).isEqualTo("trace-refusal");
        assertThat(record.get("sourceIp").asString()).isEqualTo("127.0.0.1");
        return record;
    }

    /** A FAILED refusal: by the operator whose key was sent, the response naming its record. */
    private JsonNode refusal(ResultActions answer, String action, String target) throws Exception {
        JsonNode record = onlyNewRecord("FAILED", action, target);
        assertThat(record.get("actor").asString()).isEqualTo("key:test-operator");
        assertThat(record.get("roles").toString()).isEqualTo("[\"operator\"]");
        JsonNode problem = JSON.readTree(answer.andReturn().getResponse().getContentAsString());
        assertThat(problem.get("auditId").asString()).isEqualTo(record.get("id").asString());
        return record;
    }

    // --- sysctl

    @Test
    void aGuardRefusalIsOneFailedRecordWithTheCallerTheValueAndTheGuard() throws Exception {
        ResultActions answer = send(put("/api/v1/sysctls/" + MAX_KEY), "{\"value\": 100000}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:guard-refused"));

        JsonNode record = refusal(answer, "sysctl.set", MAX_KEY);
        assertThat(record.get("reason").asString()).startsWith("guard-refused: ")
                .contains("below the 235930 entries");
        assertThat(record.at("/params/values/" + MAX_KEY).asLong()).isEqualTo(100000);
        assertThat(record.at("/params/force").asBoolean(true)).isFalse();
        assertThat(record.get("mode").asString()).isEqualTo("DIRECT");
        assertThat(host.read("proc/sys/net/netfilter/nf_conntrack_max")).isEqualTo("262144\n");
    }

    @Test
    void aStaleIfMatchIsOneFailedRecord() throws Exception {
        String etag = mvc.perform(get("/api/v1/sysctls/" + UDP_KEY)).andReturn().getResponse().getHeader("ETag");
        host.write("proc/sys/net/netfilter/nf_conntrack_udp_timeout", "33\n");
        Files.setLastModifiedTime(DIR.resolve(WATCHED.get(1)), FileTime.fromMillis(0));

        ResultActions answer = send(put("/api/v1/sysctls/" + UDP_KEY).header("If-Match", etag), "{\"value\": 45}")
                .andExpect(status().isPreconditionFailed());

        JsonNode record = refusal(answer, "sysctl.set", UDP_KEY);
        assertThat(record.get("reason").asString()).startsWith("stale-etag: " + UDP_KEY + " has changed");
        assertThat(record.at("/params/ifMatch").asString()).isEqualTo(etag);
        assertThat(host.read("proc/sys/net/netfilter/nf_conntrack_udp_timeout")).isEqualTo("33\n");
    }

    @Test
    void aReadOnlyKeyAndAnUnknownKeyAreOneFailedRecordEach() throws Exception {
        ResultActions readOnly = send(put("/api/v1/sysctls/net.netfilter.nf_conntrack_count"), "{\"value\": 5}")
                .andExpect(status().isConflict());
        assertThat(refusal(readOnly, "sysctl.set", "net.netfilter.nf_conntrack_count").get("reason").asString())
                .startsWith("sysctl-read-only: ");

        recordsBefore = AUDIT.records().size();
        ResultActions unknown = send(put("/api/v1/sysctls/kernel.pid_max"), "{\"value\": 5}")
                .andExpect(status().isNotFound());
        assertThat(refusal(unknown, "sysctl.set", "kernel.pid_max").get("reason").asString())
                .startsWith("sysctl-not-managed: ");
    }

    @Test
    void aRefusedBatchIsOneFailedRecordNamingEveryKey() throws Exception {
        ResultActions answer = send(patch("/api/v1/sysctls"),
                "{\"changes\": {\"" + UDP_KEY + "\": 45, \"" + MAX_KEY + "\": 1000}}")
                .andExpect(status().isConflict());

        JsonNode record = refusal(answer, "sysctl.batch", UDP_KEY + "," + MAX_KEY);
        assertThat(record.get("reason").asString()).startsWith("guard-refused: ");
        assertThat(record.at("/params/values/" + UDP_KEY).asLong()).isEqualTo(45);
    }

    @Test
    void aRefusedRollbackIsOneFailedRecordNamingTheChangeItWouldUndo() throws Exception {
        ResultActions unknown = send(post("/api/v1/sysctls/rollback"), "{\"auditId\": \"no-such-change\"}")
                .andExpect(status().isNotFound());
        JsonNode record = refusal(unknown, "sysctl.rollback", "audit:no-such-change");
        assertThat(record.get("reason").asString()).startsWith("change-not-found: ");
        assertThat(record.at("/params/rollbackOf").asString()).isEqualTo("no-such-change");

        // A refused change is in the audit too, and rolling it back is refused in turn: it left nothing to undo.
        recordsBefore = AUDIT.records().size();
        ResultActions guarded = send(put("/api/v1/sysctls/" + MAX_KEY), "{\"value\": 100000}")
                .andExpect(status().isConflict());
        String refused = refusal(guarded, "sysctl.set", MAX_KEY).get("id").asString();
        recordsBefore = AUDIT.records().size();
        ResultActions notApplied = send(post("/api/v1/sysctls/rollback"), "{\"auditId\": \"" + refused + "\"}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:change-not-applied"));
        assertThat(refusal(notApplied, "sysctl.rollback", "audit:" + refused).get("reason").asString())
                .startsWith("change-not-applied: ").contains("ended FAILED");
    }

    @Test
    void badInputIsOneInvalidRecordAndNotAlsoAFailedOne() throws Exception {
        // Force is the admin's; without its reason it is bad input.
        send(admin(MockMvcRequestBuilders.put("/api/v1/sysctls/" + MAX_KEY)), "{\"value\": 100000, \"force\": true}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("reason"));

        JsonNode record = onlyNewRecord("INVALID", "PUT /api/v1/sysctls/{key}", "/api/v1/sysctls/" + MAX_KEY);
        assertThat(record.get("actor").asString()).isEqualTo("key:test-admin");
    }

    @Test
    void whenTheRefusalCannotBeAuditedTheAnswerIsStillTheRefusal() throws Exception {
        AUDIT.unavailableDuring(() -> send(put("/api/v1/sysctls/" + MAX_KEY), "{\"value\": 100000}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:guard-refused"))
                .andExpect(jsonPath("$.auditId").doesNotExist()));

        assertThat(AUDIT.records()).hasSize(recordsBefore);
    }

    // --- hashsize

    @Test
    void aHashTableThatCannotBeResizedHereIsOneFailedRecord() throws Exception {
        host.delete("proc/sys/net/nf_conntrack_max");

        ResultActions answer = send(put("/api/v1/hashsize"), "{\"value\": 262144}").andExpect(status().isConflict());

        JsonNode record = refusal(answer, "hashsize.set", "net.netfilter.nf_conntrack_buckets");
        assertThat(record.get("reason").asString()).startsWith("hashsize-read-only: ");
        assertThat(record.at("/params/value").asLong()).isEqualTo(262144);
    }

    @Test
    void aHashsizeGuardRefusalIsOneFailedRecord() throws Exception {
        ResultActions answer = send(put("/api/v1/hashsize"), "{\"value\": 314572801}")
                .andExpect(status().isConflict());

        assertThat(refusal(answer, "hashsize.set", "net.netfilter.nf_conntrack_buckets").get("reason").asString())
                .startsWith("guard-refused: ").contains("max-memory-percent");
    }

    // --- notrack

    @Test
    void aMatchAllNotrackRuleWithoutTheAdminRoleIsOneDeniedRecord() throws Exception {
        send(post("/api/v1/notrack/rules"), "{\"direction\": \"OUTPUT\", \"family\": \"ipv4\", \"force\": true}")
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:admin-required"));

        JsonNode record = onlyNewRecord("DENIED", "notrack.add", "netns:(own)/notrack/new");
        assertThat(record.get("actor").asString()).isEqualTo("key:test-operator");
        assertThat(record.get("reason").asString()).startsWith("admin-required: ");
        assertThat(record.at("/params/request/force").asBoolean()).isTrue();
    }

    @Test
    void aNotrackRuleWithAWrongTypedFieldIsOneInvalidRecordNamingTheField() throws Exception {
        send(post("/api/v1/notrack/rules"), "{\"direction\": \"OUTPUT\", \"family\": \"ipv4\", \"dport\": [1]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("dport"));

        JsonNode record = onlyNewRecord("INVALID", "POST /api/v1/notrack/rules", "/api/v1/notrack/rules");
        assertThat(record.at("/params/field").asString()).isEqualTo("dport");
    }

    @Test
    void aNotrackChangeInAnUnknownNamespaceIsOneFailedRecord() throws Exception {
        ResultActions answer = send(delete("/api/v1/notrack/rules/0a1b2c3d").param("netns", "ghost"), "")
                .andExpect(status().isNotFound());

        assertThat(refusal(answer, "notrack.delete", "netns:ghost/notrack/0a1b2c3d").get("reason").asString())
                .startsWith("netns-not-found: ");
    }

    // --- flush

    @Test
    void aFlushInAnUnknownNamespaceIsOneFailedRecord() throws Exception {
        ResultActions answer = send(post("/api/v1/conntrack/flush").param("netns", "ghost"),
                "{\"filter\": {\"protocol\": \"udp\"}}").andExpect(status().isNotFound());

        JsonNode record = refusal(answer, "conntrack.delete", "netns:ghost/conntrack");
        assertThat(record.get("reason").asString()).startsWith("netns-not-found: ");
        assertThat(record.at("/params/filter/protocol").asString()).isEqualTo("udp");
    }

    @Test
    void aFlushWithBadInputIsOneInvalidRecordAndTheWholeTableByAnOperatorOneDeniedRecordApartFromTheChanges()
            throws Exception {
        send(post("/api/v1/conntrack/flush"), "{\"filter\": {\"dport\": \"http\"}}")
                .andExpect(status().isBadRequest());
        onlyNewRecord("INVALID", "POST /api/v1/conntrack/flush", "/api/v1/conntrack/flush");

        recordsBefore = AUDIT.records().size();
        int deniedBefore = AUDIT.deniedRecords().size();
        send(post("/api/v1/conntrack/flush").header("X-Confirm", "flush-all"), "{\"all\": true}")
                .andExpect(status().isForbidden());
        assertThat(AUDIT.records()).as("denials are kept apart from the change history").hasSize(recordsBefore);
        List<JsonNode> deniedRecords = AUDIT.deniedRecords();
        assertThat(deniedRecords).hasSize(deniedBefore + 1);
        JsonNode denied = deniedRecords.get(deniedRecords.size() - 1);
        assertThat(denied.get("result").asString()).isEqualTo("DENIED");
        assertThat(denied.get("action").asString()).isEqualTo("access");
        assertThat(denied.get("target").asString()).isEqualTo("POST /api/v1/conntrack/flush");
        assertThat(denied.get("actor").asString()).isEqualTo("key:test-operator");
        assertThat(denied.at("/params/count").asLong()).isEqualTo(1);
        assertThat(denied.get("reason").asString()).contains("flushing the whole table needs role admin");
        assertThat(denied.at("/params/requiredRole").asString()).as("the role the check needs, not the endpoint's")
                .isEqualTo("admin");
    }

    @Test
    void theChainHoldsOverRefusals() throws Exception {
        send(put("/api/v1/sysctls/" + MAX_KEY), "{\"value\": 100000}").andExpect(status().isConflict());

        mvc.perform(MockMvcRequestBuilders.get("/api/v1/audit/verify").header(TestApiKeys.HEADER, TestApiKeys.AUDITOR))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.ok").value(true));
    }
}
