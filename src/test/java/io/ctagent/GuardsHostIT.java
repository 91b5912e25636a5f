package io.ctagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.KernelValues;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.testsupport.TrafficGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Real kernel, lab namespaces: the three guards judge a change by what it would do. A filter that
 * removes the whole table is a flush however it is written; a NOTRACK rule (or set of rules) that
 * exempts a whole protocol or family is broad however it is written; a max below another
 * namespace's count cuts that namespace off. Traffic only on the lab's loopback.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"ctagent.host.mode=direct", "ctagent.notrack.reconcile-interval=0"})
@Import(HostApi.class)
class GuardsHostIT {

    private static final int LOW = 100;
    private static final int HIGH = 200;
    private static final int TABLE = LOW + HIGH;
    private static final AuditTrail AUDIT = AuditTrail.inTempDir("ctagent-guards-hostit-audit");
    private static final String MAX = "net.netfilter.nf_conntrack_max";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestApiKeys.register(registry);
        AUDIT.register(registry);
        try {
            Path dir = Files.createTempDirectory("ctagent-guards-notrack");
            registry.add("ctagent.notrack.state-file", () -> dir.resolve("notrack.json").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Autowired
    HostApi api;

    @Autowired
    ObjectMapper json;

    private LabNamespace lab;

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "iptables", "nft", "conntrack", "nsenter", "sysctl");
    }

    /** 300 UDP entries, all on loopback: 100 to 127.0.1.x and 200 to 127.0.2.x. */
    @BeforeEach
    void fullLoopbackTable() throws Exception {
        lab = LabNamespace.create();
        // Per namespace: keeps the UDP entries for the whole test. The host's value is untouched.
        lab.exec("sysctl", "-q", "-w", "net.netfilter.nf_conntrack_udp_timeout=600");
        fill();
    }

    @AfterEach
    void removeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void everyFormOfAWholeTableDeleteIsRefusedForAnOperatorAndDeletedByAnAdminWhoConfirms() throws Exception {
        List<String> forms = List.of("{\"mark\": \"0/0\"}", "{\"family\": \"ipv4\"}", "{\"zone\": \"0\"}",
                "{\"src\": \"0.0.0.0/0\"}", "{\"src\": \"127.0.0.0/8\"}");
        for (String form : forms) {
            if (lab.conntrackCount() == 0) {
                fill();
            }
            String body = "{\"filter\": " + form + "}";
            HttpResponse<String> refused = flush(body, TestApiKeys.OPERATOR, null);
            assertThat(refused.statusCode()).as(form + " " + refused.body()).isEqualTo(409);
            assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            JsonNode problem = json.readTree(refused.body());
            assertThat(problem.get("type").asString()).isEqualTo("urn:ctagent:problem:flush-needs-confirmation");
            assertThat(problem.get("matched").asLong()).as(form).isEqualTo(TABLE);
            assertThat(problem.get("total").asLong()).as(form).isEqualTo(TABLE);
            assertThat(problem.get("share").asDouble()).isEqualTo(1.0);
            assertThat(problem.get("detail").asString()).contains("X-Confirm: flush-all", "admin");
            assertThat(lab.conntrackCount()).as("after the refused " + form).isEqualTo(TABLE);
            // The header alone is not enough, nor is the admin role alone.
            assertThat(flush(body, TestApiKeys.OPERATOR, "flush-all").statusCode()).isEqualTo(409);
            assertThat(flush(body, TestApiKeys.ADMIN, null).statusCode()).isEqualTo(409);
            assertThat(lab.conntrackCount()).as("after the refused " + form).isEqualTo(TABLE);

            HttpResponse<String> dryRun = flush("{\"filter\": " + form + ", \"dryRun\": true}", TestApiKeys.OPERATOR,
                    null);
            assertThat(dryRun.statusCode()).as(dryRun.body()).isEqualTo(200);
            assertThat(json.readTree(dryRun.body()).get("confirmationRequired").asBoolean()).isTrue();
            assertThat(json.readTree(dryRun.body()).get("matched").asLong()).isEqualTo(TABLE);

            HttpResponse<String> confirmed = flush(body, TestApiKeys.ADMIN, "flush-all");
            assertThat(confirmed.statusCode()).as(form + " " + confirmed.body()).isEqualTo(200);
            assertThat(json.readTree(confirmed.body()).get("deleted").asLong()).as(form).isEqualTo(TABLE);
            assertThat(lab.conntrackCount()).as("after the confirmed " + form).isZero();
        }
        long refusals = AUDIT.records().stream().filter(record -> "conntrack.delete".equals(
                        record.path("action").asString(null)) && record.path("reason").asString("")
                .startsWith("flush-needs-confirmation: ")).count();
        assertThat(refusals).as("audited refusals").isEqualTo(3L * forms.size());
    }

    @Test
    void aFilterMatchingAThirdIsDeletedByAnOperatorWithoutConfirmation() throws Exception {
        HttpResponse<String> third = flush("{\"filter\": {\"dst\": \"127.0.1.0/24\"}}", TestApiKeys.OPERATOR, null);

        assertThat(third.statusCode()).as(third.body()).isEqualTo(200);
        JsonNode result = json.readTree(third.body());
        assertThat(result.get("deleted").asLong()).isEqualTo(LOW);
        assertThat(result.get("confirmationRequired").asBoolean()).isFalse();
        assertThat(lab.conntrackCount()).isEqualTo(HIGH);
    }

    @Test
    void deletesThatEachTakeLessThanHalfAddUpSoTheTableCannotBeDrainedInSlices() throws Exception {
        HttpResponse<String> third = flush("{\"filter\": {\"dst\": \"127.0.1.0/24\"}}", TestApiKeys.OPERATOR, null);
        assertThat(third.statusCode()).as(third.body()).isEqualTo(200);
        assertThat(lab.conntrackCount()).isEqualTo(HIGH);

        // 127.0.2.1-63: 63 of the 200 left (31.5 %) alone, but 163 of 300 (54.3 %) with the first delete.
        HttpResponse<String> slice = flush("{\"filter\": {\"dst\": \"127.0.2.0/26\"}}", TestApiKeys.OPERATOR, null);
        assertThat(slice.statusCode()).as(slice.body()).isEqualTo(409);
        assertThat(json.readTree(slice.body()).get("detail").asString()).contains("163 of 300",
                "counting the " + LOW + " entries deleted from this namespace without confirmation");
        assertThat(lab.conntrackCount()).as("nothing deleted").isEqualTo(HIGH);

        HttpResponse<String> confirmed = flush("{\"filter\": {\"dst\": \"127.0.2.0/26\"}}", TestApiKeys.ADMIN,
                "flush-all");
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
        assertThat(lab.conntrackCount()).isEqualTo(HIGH - 63);
    }

    @Test
    void broadNotrackRulesAndSetsAreRefusedWithoutForceAndTheRulesetStaysAsItWas() throws Exception {
        String rules = "/api/v1/notrack/rules?netns=" + lab.name();
        String before = ruleset();
        for (String broad : List.of("{\"protocol\": \"tcp\"}", "{\"protocol\": \"udp\"}", "{\"src\": \"0.0.0.0/1\"}",
                "{\"src\": \"128.0.0.0/1\"}", "{\"dst\": \"127.0.0.0/8\"}", "{\"family\": \"ipv6\"}",
                "{\"direction\": \"OUTPUT\", \"oif\": \"lo+\"}")) {
            HttpResponse<String> refused = api.send("POST", rules, TestApiKeys.OPERATOR, broad);
            assertThat(refused.statusCode()).as(broad + " " + refused.body()).isEqualTo(400);
            JsonNode problem = json.readTree(refused.body());
            assertThat(problem.get("field").asString()).isEqualTo("force");
            assertThat(problem.get("detail").asString()).as(broad).containsAnyOf("Narrow it", "narrow");
            HttpResponse<String> forcedByOperator = api.send("POST", rules, TestApiKeys.OPERATOR,
                    broad.replace("}", ", \"force\": true}"));
            assertThat(forcedByOperator.statusCode()).as(broad).isEqualTo(403);
            assertThat(ruleset()).as("the ruleset after " + broad).isEqualTo(before);
        }

        // Two slices of ports: each within ctagent.notrack.max-ports (1024), together more than it.
        HttpResponse<String> low = api.send("POST", rules, TestApiKeys.OPERATOR,
                "{\"protocol\": \"tcp\", \"dports\": \"1-1024\", \"comment\": \"first slice\"}");
        assertThat(low.statusCode()).as(low.body()).isEqualTo(201);
        String withLowHalf = ruleset();
        HttpResponse<String> high = api.send("POST", rules, TestApiKeys.OPERATOR,
                "{\"protocol\": \"tcp\", \"dports\": \"1025-2048\"}");
        assertThat(high.statusCode()).as(high.body()).isEqualTo(400);
        assertThat(json.readTree(high.body()).get("measure").asString()).isEqualTo("set-coverage");
        assertThat(ruleset()).isEqualTo(withLowHalf);

        // Two /1 halves: the admin forced one in; the other half is refused for an operator.
        HttpResponse<String> forced = api.send("POST", rules, TestApiKeys.ADMIN,
                "{\"direction\": \"OUTPUT\", \"src\": \"0.0.0.0/1\", \"force\": true}");
        assertThat(forced.statusCode()).as(forced.body()).isEqualTo(201);
        String withOneHalf = ruleset();
        HttpResponse<String> otherHalf = api.send("POST", rules, TestApiKeys.OPERATOR,
                "{\"direction\": \"OUTPUT\", \"src\": \"128.0.0.0/1\"}");
        assertThat(otherHalf.statusCode()).as(otherHalf.body()).isEqualTo(400);
        assertThat(ruleset()).isEqualTo(withOneHalf);

        HttpResponse<String> port = api.send("POST", rules, TestApiKeys.OPERATOR,
                "{\"protocol\": \"udp\", \"dports\": 53}");
        assertThat(port.statusCode()).as(port.body()).isEqualTo(201);
        HttpResponse<String> slash24 = api.send("POST", rules, TestApiKeys.OPERATOR, "{\"dst\": \"127.0.1.0/24\"}");
        assertThat(slash24.statusCode()).as(slash24.body()).isEqualTo(201);
        assertThat(ruleset()).contains("udp dport 53", "127.0.1.0/24");
    }

    @Test
    void aMaxBelowALabNamespacesCountIsRefusedNamingItAndAppliedOnlyWithForce() throws Exception {
        long max = KernelValues.read(MAX);
        assertThat(max).as("nf_conntrack_max before the test").isGreaterThanOrEqualTo(1024);
        long newMax = TABLE - 50;
        JsonNode namespaces = json.readTree(api.send("GET", "/api/v1/netns", TestApiKeys.VIEWER, null).body());
        long othersFullest = 0;
        boolean labListed = false;
        for (JsonNode ns : namespaces) {
            if (lab.name().equals(ns.path("name").asString(null))) {
                labListed = true;
                assertThat(ns.get("count").asLong()).isEqualTo(TABLE);
            } else {
                othersFullest = Math.max(othersFullest, ns.path("count").asLong(0));
            }
        }
        assertThat(labListed).as("GET /api/v1/netns lists the lab").isTrue();
        // Never cut off a namespace the test does not own, even for a moment.
        HostPrerequisites.requireHost(othersFullest < newMax, "another namespace holds " + othersFullest
                + " entries, more than the " + newMax + " this test would set max to");
        try {
            HttpResponse<String> refused = api.send("PUT", "/api/v1/sysctls/" + MAX, TestApiKeys.OPERATOR,
                    "{\"value\": " + newMax + "}");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            JsonNode problem = json.readTree(refused.body());
            assertThat(problem.get("detail").asString()).contains("namespace " + lab.name(), TABLE + " entries");
            assertThat(problem.get("namespaces").get(0).get("name").asString()).isEqualTo(lab.name());
            assertThat(problem.get("namespaces").get(0).get("count").asLong()).isEqualTo(TABLE);
            assertThat(KernelValues.read(MAX)).isEqualTo(max);

            String forcing = "{\"value\": " + newMax + ", \"force\": true, \"reason\": \"GuardsHostIT drill\"}";
            HttpResponse<String> forcedByOperator = api.send("PUT", "/api/v1/sysctls/" + MAX, TestApiKeys.OPERATOR,
                    forcing);
            assertThat(forcedByOperator.statusCode()).as(forcedByOperator.body()).isEqualTo(403);
            assertThat(json.readTree(forcedByOperator.body()).get("requiredRole").asString()).isEqualTo("admin");
            assertThat(KernelValues.read(MAX)).isEqualTo(max);

            HttpResponse<String> forced = api.send("PUT", "/api/v1/sysctls/" + MAX, TestApiKeys.ADMIN, forcing);
            assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
            JsonNode change = json.readTree(forced.body());
            assertThat(KernelValues.read(MAX)).isEqualTo(newMax);
            assertThat(change.get("warnings").toString()).contains("Forced past a guard (GuardsHostIT drill)",
                    lab.name());
            AuditTrail.Change audited = AUDIT.change(change.get("auditId").asString());
            assertThat(audited.result()).isEqualTo("APPLIED");
            assertThat(audited.intent().at("/params/force").asBoolean()).isTrue();
        } finally {
            // Put back with the host's own tool, independent of the code under test.
            LabNamespace.run("sysctl", "-w", MAX + "=" + max);
        }
        assertThat(KernelValues.read(MAX)).isEqualTo(max);
    }

    private void fill() throws Exception {
        generate("udp-spray", String.valueOf(LOW), "9", "127.0.1.1");
        generate("udp-spray", String.valueOf(HIGH), "9", "127.0.2.1");
        assertThat(lab.conntrackCount()).isEqualTo(TABLE);
    }

    /** The lab's NOTRACK-relevant kernel state, read with the kernel's own tools. */
    private String ruleset() {
        return lab.execStdout("nft", "list", "ruleset") + "\n--- iptables -t raw -S\n"
                + lab.execStdout("iptables", "-t", "raw", "-S");
    }

    private HttpResponse<String> flush(String body, String key, String confirm) throws Exception {
        return api.send("POST", "/api/v1/conntrack/flush?netns=" + lab.name(), key, body, "X-Confirm", confirm);
    }

    private void generate(String... args) throws Exception {
        assertThat(TrafficGenerator.runIn(lab, args)).startsWith("SENT ");
    }
}
