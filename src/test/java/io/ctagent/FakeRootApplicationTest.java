package io.ctagent;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.TestApiKeys;

/**
 * The whole agent run against the committed fake host tree; its answers are compared with
 * stored expected files (fixtures/expected), like node_exporter's end-to-end test.
 */
@SpringBootTest
@AutoConfigureMockMvc
class FakeRootApplicationTest {

    static final FakeHost HOST;

    static {
        try {
            HOST = FakeHost.copyTo(Files.createTempDirectory("ctagent-fakeroot"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void hostRoots(DynamicPropertyRegistry registry) {
        FakeHost.register(registry, HOST.root(), "direct");
        TestApiKeys.register(registry);
    }

    @Autowired
    MockMvc mvc;

    @Test
    void usageMatchesTheStoredExpectation() throws Exception {
        mvc.perform(get("/api/v1/conntrack/usage").header(TestApiKeys.HEADER, TestApiKeys.VIEWER))
                .andExpect(status().isOk())
                .andExpect(content().json(expected("usage.json")))
                .andExpect(jsonPath("$.sampledAt").isString());
    }

    @Test
    void statsMatchTheStoredExpectation() throws Exception {
        mvc.perform(get("/api/v1/conntrack/stats").header(TestApiKeys.HEADER, TestApiKeys.VIEWER))
                .andExpect(status().isOk())
                .andExpect(content().json(expected("stats.json")));
    }

    @Test
    void healthShowsTheCriticalLevelButStaysUp() throws Exception {
        mvc.perform(get("/actuator/health").header(TestApiKeys.HEADER, TestApiKeys.VIEWER))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("UP"))
                .andExpect(jsonPath("$.components.conntrack.status").value("UP"))
                .andExpect(jsonPath("$.components.conntrack.details.level").value("CRITICAL"));
        mvc.perform(get("/actuator/health/liveness")).andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("UP"));
        mvc.perform(get("/actuator/health/readiness")).andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("UP"));
    }

    @Test
    void prometheusShowsEntriesLimitRatioAndStatCounters() throws Exception {
        mvc.perform(get("/actuator/prometheus").header(TestApiKeys.HEADER, TestApiKeys.VIEWER))
                .andExpect(status().isOk())
                .andExpect(content().string(org.hamcrest.Matchers.containsString("ctagent_conntrack_entries 235930.0")))
                .andExpect(content().string(org.hamcrest.Matchers.containsString("ctagent_conntrack_limit 262144.0")))
                .andExpect(content().string(org.hamcrest.Matchers.containsString("ctagent_conntrack_usage_ratio 0.9")))
                .andExpect(content().string(org.hamcrest.Matchers.containsString(
                        "ctagent_conntrack_stat_total{counter=\"insert\"} 300.0")))
                .andExpect(content().string(org.hamcrest.Matchers.containsString(
                        "ctagent_conntrack_stat_total{counter=\"drop\"} 7.0")));
    }

    @Test
    void agentReportsItsRootsAndKernel() throws Exception {
        mvc.perform(get("/api/v1/agent").header(TestApiKeys.HEADER, TestApiKeys.VIEWER))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.kernelRelease").value("6.18.0-fixture"))
                .andExpect(jsonPath("$.conntrackLoaded").value(true))
                .andExpect(jsonPath("$.roots.procRoot").value(HOST.proc().toString()))
                .andExpect(jsonPath("$.mode").value("DIRECT"));
    }

    @Test
    void anUnknownPathIsAProblemNotAWhitelabelPage() throws Exception {
        mvc.perform(get("/api/v1/nothing-here").header(TestApiKeys.HEADER, TestApiKeys.VIEWER))
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"));
    }

    private static String expected(String name) throws IOException {
        return new ClassPathResource("fixtures/expected/" + name).getContentAsString(StandardCharsets.UTF_8);
    }
}
