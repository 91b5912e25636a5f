package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import io.ctagent.testsupport.FakeHost;

@SpringBootTest
@AutoConfigureMockMvc
class SecurityBehaviourTest {

    static final FakeHost HOST = FakeHost.create("security");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestKeys.register(registry, HOST);
    }

    @Autowired
    MockMvc mvc;

    @Test
    void theUsageReadWorksWithAViewerKey() throws Exception {
        mvc.perform(get("/api/v1/conntrack/usage").header(ApiKeys.HEADER, TestKeys.VIEWER))
                .andExpect(status().isOk())
                .andExpect(header().string("X-Content-Type-Options", "nosniff"))
                .andExpect(header().string("X-Frame-Options", "DENY"))
                .andExpect(header().string("Cache-Control", "no-store"))
                .andExpect(header().doesNotExist("Pragma"))
                .andExpect(header().doesNotExist("X-XSS-Protection"))
                .andExpect(jsonPath("$.count").value(235930))
                .andExpect(jsonPath("$.max").value(262144));
    }

    @Test
    void withoutAKeyTheAnswerIs401ProblemJsonSayingWhatIsNeeded() throws Exception {
        mvc.perform(get("/api/v1/conntrack/usage").header("X-Request-Id", "trace-401"))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("Content-Type", "application/problem+json"))
                .andExpect(header().string("WWW-Authenticate", containsString("X-API-Key")))
                .andExpect(header().string("X-Request-Id", "trace-401"))
                .andExpect(jsonPath("$.status").value(401))
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:unauthenticated"))
                .andExpect(jsonPath("$.detail", containsString("role viewer")));
    }

    @Test
    void withAKeyAnUnknownPathIs404AndAWrongMethodIs405AsProblemJson() throws Exception {
        mvc.perform(get("/api/v1/nothing-here").header(ApiKeys.HEADER, TestKeys.ADMIN))
                .andExpect(status().isNotFound())
                .andExpect(header().string("Content-Type", "application/problem+json"))
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:not-found"))
                .andExpect(jsonPath("$.detail", containsString("no endpoint")));
        mvc.perform(put("/api/v1/conntrack/usage").header(ApiKeys.HEADER, TestKeys.VIEWER))
                .andExpect(status().isMethodNotAllowed())
                .andExpect(header().string("Content-Type", "application/problem+json"))
                .andExpect(header().string("Allow", "GET"))
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:method-not-allowed"));
        mvc.perform(delete("/api/v1/notrack/rules").header(ApiKeys.HEADER, TestKeys.OPERATOR))
                .andExpect(status().isMethodNotAllowed())
                .andExpect(header().string("Allow", "GET, POST"));
    }

    @Test
    void withoutAKeyAnUnknownPathAndAWrongMethodAre401LikeAnyOtherPath() throws Exception {
        mvc.perform(get("/api/v1/nothing-here"))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("Content-Type", "application/problem+json"));
        mvc.perform(put("/api/v1/conntrack/usage"))
                .andExpect(status().isUnauthorized());
    }

    @Test
    void anApiKeyIsAcceptedAsABearerTokenAndAWrongOneIs401() throws Exception {
        mvc.perform(get("/actuator/prometheus").header("Authorization", "Bearer " + TestKeys.VIEWER))
                .andExpect(status().isOk());
        mvc.perform(get("/api/v1/audit/verify").header("Authorization", "bearer " + TestKeys.AUDITOR))
                .andExpect(status().isOk());
        mvc.perform(get("/api/v1/audit/verify").header("Authorization", "Bearer " + TestKeys.VIEWER))
                .andExpect(status().isForbidden());
        mvc.perform(get("/api/v1/conntrack/usage").header("Authorization", "Bearer " + TestKeys.WRONG))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.detail", containsString("matches no configured key")));
    }

    @Test
    void aRoleTooLowIs403NamingTheRoleNeededAndIsAuditedWithTheCaller() throws Exception {
        // Denials are recorded once per source, caller and reason and interval: a source of its own makes
        // this the first of its group, written at once with its request id.
        mvc.perform(get("/api/v1/audit/verify").header(ApiKeys.HEADER, TestKeys.VIEWER)
                        .header("X-Request-Id", "trace-403").with(from("127.0.0.203")))
                .andExpect(status().isForbidden())
                .andExpect(header().string("Content-Type", "application/problem+json"))
                .andExpect(jsonPath("$.requiredRole").value("auditor"))
                .andExpect(jsonPath("$.detail", containsString("'key:viewer'")));

        mvc.perform(get("/api/v1/audit").param("result", "DENIED").param("actor", "key:viewer")
                        .header(ApiKeys.HEADER, TestKeys.AUDITOR))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.records[0].action").value("access"))
                .andExpect(jsonPath("$.records[0].target").value("GET /api/v1/audit/verify"))
                .andExpect(jsonPath("$.records[0].roles[0]").value("viewer"))
                .andExpect(jsonPath("$.records[0].requestId").value("trace-403"))
                .andExpect(jsonPath("$.records[0].sourceIp").value("127.0.0.203"));
    }

    @Test
    void anAnonymousOrWrongKeyChangeAttemptIsAuditedButNeverTheKey() throws Exception {
        mvc.perform(put("/api/v1/sysctls/net.netfilter.nf_conntrack_max").header(ApiKeys.HEADER, TestKeys.WRONG)
                        .header("X-Request-Id", "trace-wrong-key").with(from("127.0.0.204"))
                        .contentType(MediaType.APPLICATION_JSON).content("{\"value\": 1}"))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.detail", containsString("matches no configured key")));

        mvc.perform(get("/api/v1/audit").param("result", "DENIED").header(ApiKeys.HEADER, TestKeys.ADMIN))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.records[?(@.requestId == 'trace-wrong-key')].actor").value(
                        org.hamcrest.Matchers.contains((Object) null)));
        String audit = Files.readString(HOST.auditFile());
        for (String key : TestKeys.BY_ROLE.values()) {
            assertThat(audit).doesNotContain(key);
        }
        assertThat(audit).doesNotContain(TestKeys.WRONG);
    }

    @Test
    void anonymousReadsAreCountedApartFromTheChangeHistorySoStrangersCannotFlushIt() throws Exception {
        mvc.perform(get("/api/v1/agent").header("X-Request-Id", "trace-anonymous-read"))
                .andExpect(status().isUnauthorized());
        assertThat(Files.readString(HOST.auditFile())).doesNotContain("trace-anonymous-read");
        Path denied = HOST.auditFile().resolveSibling("audit-denied.jsonl");
        assertThat(denied).exists();
    }

    @Test
    void probesSwaggerAndTheSpecNeedNoKey() throws Exception {
        mvc.perform(get("/actuator/health")).andExpect(status().isOk());
        mvc.perform(get("/actuator/health/liveness")).andExpect(status().isOk());
        mvc.perform(get("/actuator/health/readiness")).andExpect(status().isOk());
        mvc.perform(get("/swagger-ui.html")).andExpect(status().is3xxRedirection());
        mvc.perform(get("/swagger-ui/index.html")).andExpect(status().isOk());
        mvc.perform(get("/v3/api-docs")).andExpect(status().isOk());
    }

    @Test
    void theSpecDeclaresTheApiKeySchemeForEveryOperation() throws Exception {
        mvc.perform(get("/v3/api-docs"))
                .andExpect(jsonPath("$.components.securitySchemes.apiKey.type").value("apiKey"))
                .andExpect(jsonPath("$.components.securitySchemes.apiKey.in").value("header"))
                .andExpect(jsonPath("$.components.securitySchemes.apiKey.name").value("X-API-Key"))
                .andExpect(jsonPath("$.security[0].apiKey").isArray());
    }

    @Test
    void metricsNeedAViewerUnlessMadePublic() throws Exception {
        mvc.perform(get("/actuator/prometheus")).andExpect(status().isUnauthorized());
        mvc.perform(get("/actuator/prometheus").header(ApiKeys.HEADER, TestKeys.AUDITOR))
                .andExpect(status().isForbidden());
        mvc.perform(get("/actuator/prometheus").header(ApiKeys.HEADER, TestKeys.VIEWER))
                .andExpect(status().isOk());
    }

    @Test
    void healthDetailsOtherThanTheProbesNeedAViewer() throws Exception {
        mvc.perform(get("/actuator/health/conntrack")).andExpect(status().isUnauthorized());
        mvc.perform(get("/actuator/info")).andExpect(status().isUnauthorized());
        mvc.perform(get("/actuator/info").header(ApiKeys.HEADER, TestKeys.VIEWER)).andExpect(status().isOk());
    }

    @Test
    void badAuditFiltersAre400NamingTheField() throws Exception {
        mvc.perform(get("/api/v1/audit").param("since", "last tuesday").header(ApiKeys.HEADER, TestKeys.AUDITOR))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("since"));
        mvc.perform(get("/api/v1/audit").param("limit", "5000").header(ApiKeys.HEADER, TestKeys.AUDITOR))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("limit"));
    }

    @Test
    void verifyAnswersOkWithTheCount() throws Exception {
        mvc.perform(get("/api/v1/audit/verify").header(ApiKeys.HEADER, TestKeys.AUDITOR))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.ok").value(true))
                .andExpect(jsonPath("$.records").isNumber());
    }

    /** The request as if it came from this (loopback) address. */
    private static org.springframework.test.web.servlet.request.RequestPostProcessor from(String address) {
        return request -> {
            request.setRemoteAddr(address);
            return request;
        };
    }
}
