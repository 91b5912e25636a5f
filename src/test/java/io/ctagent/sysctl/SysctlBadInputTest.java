package io.ctagent.sysctl;

import static io.ctagent.testsupport.KeyedRequests.operator;
import static io.ctagent.testsupport.KeyedRequests.patch;
import static io.ctagent.testsupport.KeyedRequests.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.TestApiKeys;
import tools.jackson.databind.JsonNode;

/**
 * Bad input: 400 naming the field, nothing on the host touched (every file keeps its epoch mtime),
 * and no change let through to the audit's intent. The web layer (ProblemAdvice) records each 400
 * on a change as an INVALID attempt.
 */
@SpringBootTest
@AutoConfigureMockMvc
class SysctlBadInputTest {

    static final FakeRoot ROOT = new FakeRoot("ctagent-badinput");
    static final AuditTrail AUDIT = AuditTrail.inTempDir("ctagent-badinput-audit");
    static final List<String> WATCHED = List.of("proc/sys/net/netfilter/nf_conntrack_max",
            "proc/sys/net/netfilter/nf_conntrack_udp_timeout", "proc/sys/net/nf_conntrack_max");

    @DynamicPropertySource
    static void hostRoots(DynamicPropertyRegistry registry) {
        FakeHost.register(registry, java.nio.file.Path.of(ROOT.root()), "direct");
        TestApiKeys.register(registry);
        AUDIT.register(registry);
    }

    @Autowired
    MockMvc mvc;

    @BeforeEach
    void reset() {
        ROOT.reset();
        WATCHED.forEach(ROOT::age);
    }

    @AfterEach
    void nothingWasWritten() {
        WATCHED.forEach(file -> assertThat(ROOT.untouched(file)).as(file).isTrue());
        assertThat(ROOT.exists("etc/sysctl.d/90-conntrack-agent.conf")).isFalse();
        assertThat(AUDIT.intents()).as("changes let through to the host").isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abc\"", "-1", "9223372036854775808", "18446744073709551616", "\" 300000\"",
            "\"300000 \"", "\"300000\\n\"", "\"300000\\nkernel.modprobe=/tmp/x\"", "\"1; reboot\"", "\"$(reboot)\"",
            "\"`id`\"", "\"1 && id\"", "\"1|id\"", "1.5", "true", "null", "{}", "[300000]"})
    void aBadValueIs400NamingTheField(String value) throws Exception {
        mvc.perform(put("/api/v1/sysctls/net.netfilter.nf_conntrack_max").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"value\": " + value + ", \"persist\": true}"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value("value"));
        JsonNode last = AUDIT.records().get(AUDIT.records().size() - 1);
        assertThat(last.get("result").asString()).isEqualTo("INVALID");
        assertThat(last.get("action").asString()).isEqualTo("PUT /api/v1/sysctls/{key}");
        assertThat(last.get("actor").asString()).isEqualTo("key:test-operator");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "PUT|/api/v1/sysctls/net.netfilter.nf_conntrack_max|{\"value\": 300000, \"dryrun\": true}|dryrun",
            "PATCH|/api/v1/sysctls|{\"changes\": {\"net.netfilter.nf_conntrack_max\": 300000}, \"persists\": true}|persists",
            "POST|/api/v1/sysctls/rollback|{\"auditId\": \"x\", \"dry_run\": true}|dry_run"})
    void anUnknownFieldIs400NamingItAndNothingChanges(String method, String path, String body, String field)
            throws Exception {
        mvc.perform(operator(request(HttpMethod.valueOf(method), path)).contentType(MediaType.APPLICATION_JSON).content(body))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value(field))
                .andExpect(jsonPath("$.detail", org.hamcrest.Matchers.containsString("unknown field")));
        JsonNode last = AUDIT.records().get(AUDIT.records().size() - 1);
        assertThat(last.get("result").asString()).isEqualTo("INVALID");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abc\"", "-1", "9223372036854775808", "\"45\\n\"", "\"45;reboot\""})
    void aBadValueInABatchIs400NamingTheKey(String value) throws Exception {
        mvc.perform(patch("/api/v1/sysctls").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"changes\": {\"net.netfilter.nf_conntrack_max\": 300000, "
                                + "\"net.netfilter.nf_conntrack_udp_timeout\": " + value + "}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("changes[net.netfilter.nf_conntrack_udp_timeout]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"net.netfilter.nf_conntrack_max%20", "%20net.netfilter.nf_conntrack_max",
            "net.netfilter.nf_conntrack_max%26%26id", "net.netfilter.nf_conntrack_max%7Cid", "%24(id)",
            "%60id%60", "net..netfilter", "net.netfilter.nf_conntrack_max%27", "NET.NETFILTER.X",
            "net.netfilter.nf_conntrack_max%09"})
    void aBadKeyIs400NamingTheField(String encodedKey) throws Exception {
        mvc.perform(put(URI.create("/api/v1/sysctls/" + encodedKey)).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"value\": 300000}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("key"));
    }

    /** Spring Security's firewall refuses these paths before any controller sees them. */
    @ParameterizedTest
    @ValueSource(strings = {"net.netfilter.nf_conntrack_max%0A", "net.netfilter.nf_conntrack_max%0D",
            "net.netfilter.nf_conntrack_max;reboot", "net.netfilter.nf_conntrack_max%3Breboot", "..",
            "net%5Cnetfilter", "net%2Fnetfilter%2Fnf_conntrack_max", "net.netfilter.nf_conntrack_max%00"})
    void aKeyThePathFirewallRefusesIs400BeforeTheApp(String encodedKey) throws Exception {
        mvc.perform(put(URI.create("/api/v1/sysctls/" + encodedKey)).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"value\": 300000}"))
                .andExpect(status().isBadRequest());
    }

    @ParameterizedTest
    @ValueSource(strings = {"net.netfilter.nf_conntrack_max\\n", "net.netfilter.nf_conntrack_max;reboot",
            "$(id)", "../../etc/passwd", "net/netfilter/nf_conntrack_max", " net.netfilter.nf_conntrack_max"})
    void aBadKeyInABatchIs400NamingChanges(String key) throws Exception {
        mvc.perform(patch("/api/v1/sysctls").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"changes\": {\"" + key + "\": 300000}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("changes"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"value\": 300000, \"persist\": \"yes\"}", "{\"value\": 300000, \"dryRun\": \"maybe\"}",
            "{\"value\": 300000, \"force\": [true]}"})
    void aFlagOfTheWrongTypeIs400NamingIt(String body) throws Exception {
        String field = body.substring(body.indexOf(", \"") + 3, body.lastIndexOf("\":"));
        mvc.perform(put("/api/v1/sysctls/net.netfilter.nf_conntrack_max").contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value(field));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "not json", "{\"value\": 300000"})
    void aBodyThatIsNotJsonIs400(String body) throws Exception {
        mvc.perform(put("/api/v1/sysctls/net.netfilter.nf_conntrack_max").contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    }

    @ParameterizedTest
    @ValueSource(strings = {"line one\\nline two", "bell\\u0007"})
    void aReasonWithControlCharactersIs400(String reason) throws Exception {
        mvc.perform(put("/api/v1/sysctls/net.netfilter.nf_conntrack_max").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"value\": 300000, \"reason\": \"" + reason + "\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("reason"));
    }
}
