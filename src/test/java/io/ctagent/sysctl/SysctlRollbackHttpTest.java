package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.testsupport.SpecValidation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A change and its rollback end to end over real HTTP, against the fake host: the keys, the
 * responses' auditIds, the host files, and the audit as an auditor reads it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SysctlRollbackHttpTest {

    static final FakeRoot ROOT = new FakeRoot("ctagent-rollback");
    static final AuditTrail AUDIT = AuditTrail.inTempDir("ctagent-rollback-audit");
    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String MAX = "proc/sys/net/netfilter/nf_conntrack_max";
    static final String DROP_IN = "etc/sysctl.d/90-conntrack-agent.conf";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        FakeHost.register(registry, java.nio.file.Path.of(ROOT.root()), "direct");
        TestApiKeys.register(registry);
        AUDIT.register(registry);
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void reset() {
        ROOT.reset();
    }

    @Test
    void aPersistedChangeIsRolledBackAtRuntimeAndInTheDropInAndTheAuditHoldsBoth() throws Exception {
        ROOT.host().write(DROP_IN, "# kept by hand\n");

        JsonNode change = send("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max", TestApiKeys.OPERATOR,
                "{\"value\": 524288, \"persist\": true, \"reason\": \"peak season\"}", 200);
        String changeId = change.get("auditId").asString();
        assertThat(change.get("result").asString()).isEqualTo("APPLIED");
        assertThat(ROOT.host().read(MAX)).isEqualTo("524288\n");
        assertThat(ROOT.host().read(DROP_IN)).isEqualTo("# kept by hand\nnet.netfilter.nf_conntrack_max = 524288\n");

        send("POST", "/api/v1/sysctls/rollback", TestApiKeys.VIEWER, "{\"auditId\": \"" + changeId + "\"}", 403);
        JsonNode rollback = send("POST", "/api/v1/sysctls/rollback", TestApiKeys.OPERATOR,
                "{\"auditId\": \"" + changeId + "\", \"reason\": \"season over\"}", 200);

        String rollbackId = rollback.get("auditId").asString();
        assertThat(rollbackId).isNotEqualTo(changeId);
        assertThat(rollback.get("action").asString()).isEqualTo("sysctl.rollback");
        assertThat(rollback.get("result").asString()).isEqualTo("APPLIED");
        assertThat(rollback.get("persist").asBoolean()).isTrue();
        assertThat(rollback.at("/before/net.netfilter.nf_conntrack_max").asLong()).isEqualTo(524288);
        assertThat(rollback.at("/after/net.netfilter.nf_conntrack_max").asLong()).isEqualTo(262144);
        assertThat(ROOT.host().read(MAX)).isEqualTo("262144\n");
        assertThat(ROOT.host().read(DROP_IN)).isEqualTo("# kept by hand\n");
        JsonNode view = send("GET", "/api/v1/sysctls/net.netfilter.nf_conntrack_max", TestApiKeys.VIEWER, null, 200);
        assertThat(view.get("value").asLong()).isEqualTo(262144);
        assertThat(view.get("persistedValue").isNull()).isTrue();

        // The auditor sees both changes, newest first, and a chain that holds.
        JsonNode sets = send("GET", "/api/v1/audit?action=sysctl.set", TestApiKeys.AUDITOR, null, 200);
        assertThat(sets.get("records").findValuesAsString("id")).contains(changeId);
        JsonNode rollbacks = send("GET", "/api/v1/audit?action=sysctl.rollback&result=APPLIED", TestApiKeys.AUDITOR,
                null, 200);
        JsonNode outcome = rollbacks.get("records").get(0);
        assertThat(outcome.get("id").asString()).isEqualTo(rollbackId);
        assertThat(outcome.get("actor").asString()).isEqualTo("key:test-operator");
        assertThat(outcome.at("/before/values/net.netfilter.nf_conntrack_max").asLong()).isEqualTo(524288);
        assertThat(outcome.at("/after/values/net.netfilter.nf_conntrack_max").asLong()).isEqualTo(262144);
        assertThat(AUDIT.change(rollbackId).intent().at("/params/rollbackOf").asString()).isEqualTo(changeId);
        assertThat(AUDIT.change(rollbackId).intent().at("/params/reason").asString()).isEqualTo("season over");
        assertThat(AUDIT.change(changeId).result()).isEqualTo("APPLIED");
        assertThat(send("GET", "/api/v1/audit/verify", TestApiKeys.AUDITOR, null, 200).get("ok").asBoolean()).isTrue();

        // And the rollback itself can be undone.
        send("POST", "/api/v1/sysctls/rollback", TestApiKeys.OPERATOR, "{\"auditId\": \"" + rollbackId + "\"}", 200);
        assertThat(ROOT.host().read(MAX)).isEqualTo("524288\n");
        assertThat(ROOT.host().read(DROP_IN)).isEqualTo("# kept by hand\nnet.netfilter.nf_conntrack_max = 524288\n");
    }

    @Test
    void anUnknownAuditIdIs404AndNothingChanges() throws Exception {
        JsonNode problem = send("POST", "/api/v1/sysctls/rollback", TestApiKeys.OPERATOR,
                "{\"auditId\": \"0b1e6c2a-0000-4000-8000-000000000000\"}", 404);
        assertThat(problem.get("field").asString()).isEqualTo("auditId");
        assertThat(ROOT.host().read(MAX)).isEqualTo("262144\n");
    }

    @Test
    void aRollbackOfAnEditedRecordIsRefusedWith409NamingItAndNothingChanges() throws Exception {
        String changeId = send("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max", TestApiKeys.OPERATOR,
                "{\"value\": 524288}", 200).get("auditId").asString();
        // Someone with access to the file makes the rollback restore a value of their choosing.
        Runnable undo = editAuditLine(changeId, "\"net.netfilter.nf_conntrack_max\":262144",
                "\"net.netfilter.nf_conntrack_max\":300000");
        try {
            JsonNode problem = send("POST", "/api/v1/sysctls/rollback", TestApiKeys.OPERATOR,
                    "{\"auditId\": \"" + changeId + "\"}", 409);

            assertThat(problem.get("type").asString()).isEqualTo("urn:ctagent:problem:audit-chain-broken");
            assertThat(problem.at("/firstBroken/id").asString()).isEqualTo(changeId);
            assertThat(problem.at("/firstBroken/reason").asString()).contains("edited");
            assertThat(problem.get("detail").asString()).contains(changeId).contains("GET /api/v1/audit/verify")
                    .contains("Nothing was changed");
            assertThat(ROOT.host().read(MAX)).isEqualTo("524288\n");
            // The same record GET /api/v1/audit/verify names, and the refusal is audited.
            JsonNode verify = send("GET", "/api/v1/audit/verify", TestApiKeys.AUDITOR, null, 200);
            assertThat(verify.at("/firstBroken/id").asString()).isEqualTo(changeId);
            JsonNode refusal = AUDIT.records().get(AUDIT.records().size() - 1);
            assertThat(refusal.get("id").asString()).isEqualTo(problem.get("auditId").asString());
            assertThat(refusal.get("result").asString()).isEqualTo("FAILED");
            assertThat(refusal.get("action").asString()).isEqualTo("sysctl.rollback");
            assertThat(refusal.get("target").asString()).isEqualTo("audit:" + changeId);
            assertThat(refusal.get("actor").asString()).isEqualTo("key:test-operator");
            assertThat(refusal.get("reason").asString()).startsWith("audit-chain-broken: ");
        } finally {
            undo.run();
        }
        assertThat(send("GET", "/api/v1/audit/verify", TestApiKeys.AUDITOR, null, 200).get("ok").asBoolean()).isTrue();
    }

    @Test
    void anEditedRecordBeforeTheChangeAlsoRefusesItsRollback() throws Exception {
        String earlier = send("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout", TestApiKeys.OPERATOR,
                "{\"value\": 45}", 200).get("auditId").asString();
        String changeId = send("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max", TestApiKeys.OPERATOR,
                "{\"value\": 524288}", 200).get("auditId").asString();
        Runnable undo = editAuditLine(earlier, "\"actor\":\"key:test-operator\"", "\"actor\":\"key:someone-else\"");
        try {
            JsonNode problem = send("POST", "/api/v1/sysctls/rollback", TestApiKeys.OPERATOR,
                    "{\"auditId\": \"" + changeId + "\"}", 409);

            assertThat(problem.at("/firstBroken/id").asString()).isEqualTo(earlier);
            assertThat(ROOT.host().read(MAX)).isEqualTo("524288\n");
        } finally {
            undo.run();
        }
        // With the chain whole again, the same rollback goes through.
        send("POST", "/api/v1/sysctls/rollback", TestApiKeys.OPERATOR, "{\"auditId\": \"" + changeId + "\"}", 200);
        assertThat(ROOT.host().read(MAX)).isEqualTo("262144\n");
    }

    /** Edits the audit line of one record in place; the returned action puts it back, so the chain holds again. */
    private static Runnable editAuditLine(String id, String from, String to) throws Exception {
        List<String> lines = Files.readAllLines(AUDIT.file());
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("\"id\":\"" + id + "\"")) {
                at = i;
            }
        }
        assertThat(at).as("audit line of " + id).isNotNegative();
        String original = lines.get(at);
        assertThat(original).contains(from);
        lines.set(at, original.replace(from, to));
        Files.write(AUDIT.file(), lines);
        int index = at;
        return () -> {
            try {
                List<String> now = Files.readAllLines(AUDIT.file());
                now.set(index, original);
                Files.write(AUDIT.file(), now);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    private JsonNode send(String method, String path, String key, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .header(TestApiKeys.HEADER, key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = SpecValidation.check(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expected);
        return JSON.readTree(response.body());
    }
}
