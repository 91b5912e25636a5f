package io.ctagent.tuning;

import static io.ctagent.testsupport.KeyedRequests.get;
import static io.ctagent.testsupport.KeyedRequests.patch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.containsString;
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

import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.TestApiKeys;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The recommendation for the fixture host, and its PATCH body applied through the API. */
@SpringBootTest
@AutoConfigureMockMvc
class RecommendationApiTest {

    static final FakeHost HOST;
    static final AuditTrail AUDIT = AuditTrail.inTempDir("ctagent-recommend-audit");

    static {
        try {
            HOST = FakeHost.copyTo(Files.createTempDirectory("ctagent-recommend"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void hostRoots(DynamicPropertyRegistry registry) {
        FakeHost.register(registry, HOST.root(), "direct");
        TestApiKeys.register(registry);
        AUDIT.register(registry);
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    ObjectMapper json;

    @Test
    void computesFromTheFixtureAndItsPatchBodyAppliesIt() throws Exception {
        // MemTotal 24576000 kB on 6.18: kernel default 262144/262144. Peak 235930 -> 2 x = 471860 -> 524288.
        String body = mvc.perform(get("/api/v1/tuning/recommendation"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.inputs.memTotalBytes").value(24576000L * 1024))
                .andExpect(jsonPath("$.inputs.cpus").value(4))
                .andExpect(jsonPath("$.inputs.objectSize").value(256))
                .andExpect(jsonPath("$.inputs.observedPeak").value(235930))
                .andExpect(jsonPath("$.inputs.budgetEntries").value(9830400))
                .andExpect(jsonPath("$.kernelDefault.buckets").value(262144))
                .andExpect(jsonPath("$.kernelDefault.max").value(262144))
                .andExpect(jsonPath("$.max.recommended").value(524288))
                .andExpect(jsonPath("$.max.reason").value(containsString("471860")))
                .andExpect(jsonPath("$.buckets.recommended").value(524288))
                .andExpect(jsonPath("$.timeouts[0].key").value("net.netfilter.nf_conntrack_tcp_timeout_established"))
                .andExpect(jsonPath("$.timeouts[0].recommended").value(7875))
                .andExpect(jsonPath("$.hashsizeArithmetic[0].buckets").value(16384))
                .andExpect(jsonPath("$.hashsizeArithmetic[0].chainLengthAtMax").value(32.0))
                .andExpect(jsonPath("$.hashsizeVerdict").value(containsString("use 262144 buckets")))
                .andExpect(jsonPath("$.patch.persist").value(true))
                .andExpect(jsonPath("$.patch.changes", aMapWithSize(3)))
                .andExpect(jsonPath("$.patch.changes['net.netfilter.nf_conntrack_max']").value(524288))
                .andExpect(jsonPath("$.patch.changes['net.netfilter.nf_conntrack_buckets']").value(524288))
                .andReturn().getResponse().getContentAsString();
        JsonNode patch = json.readTree(body).get("patch");

        String applied = mvc.perform(patch("/api/v1/sysctls").contentType(MediaType.APPLICATION_JSON)
                        .content(patch.toString()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("APPLIED"))
                .andReturn().getResponse().getContentAsString();
        AuditTrail.Change change = AUDIT.change(json.readTree(applied).get("auditId").asString());
        assertThat(change.result()).isEqualTo("APPLIED");
        assertThat(change.intent().get("action").asString()).isEqualTo("sysctl.batch");

        assertThat(HOST.read("proc/sys/net/netfilter/nf_conntrack_max")).isEqualTo("524288\n");
        assertThat(Files.readString(Path.of(HOST.root().toString(), "etc/sysctl.d/90-conntrack-agent.conf")))
                .contains("net.netfilter.nf_conntrack_tcp_timeout_established = 7875");
        mvc.perform(get("/api/v1/tuning/recommendation"))
                .andExpect(jsonPath("$.patch.changes", aMapWithSize(0)))
                .andExpect(jsonPath("$.max.reason").value(containsString("keep it")));
    }
}
