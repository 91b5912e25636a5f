package io.ctagent.usage;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.problem.OperatorProblem;

@WebMvcTest(UsageController.class)
@AutoConfigureMockMvc(addFilters = false)
class UsageControllerTest {

    @Autowired
    MockMvc mvc;

    @MockitoBean
    UsageService usage;

    @MockitoBean
    UsageHistory history;

    @MockitoBean
    FullestNamespaceFinder fullest;

    @Test
    void usageHasTheFieldsOfTheContract() throws Exception {
        given(usage.usage(NetnsTarget.OWN)).willReturn(new ConntrackUsage(null, 900, 1000, 90.0, 250, 250L, 3.6,
                900L * 256 + 250 * 8, 256, UsageLevel.CRITICAL, Instant.parse("2026-11-26T12:00:00Z"), 70, 85));

        mvc.perform(get("/api/v1/conntrack/usage"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.count").value(900))
                .andExpect(jsonPath("$.max").value(1000))
                .andExpect(jsonPath("$.usagePercent").value(90.0))
                .andExpect(jsonPath("$.buckets").value(250))
                .andExpect(jsonPath("$.hashsize").value(250))
                .andExpect(jsonPath("$.entriesPerBucket").value(3.6))
                .andExpect(jsonPath("$.memoryBytes").value(232400))
                .andExpect(jsonPath("$.level").value("CRITICAL"))
                .andExpect(jsonPath("$.sampledAt").value("2026-11-26T12:00:00Z"))
                .andExpect(jsonPath("$.warnPercent").value(70))
                .andExpect(jsonPath("$.criticalPercent").value(85));
    }

    @Test
    void usageDescribesTheNamespaceAskedAboutAndNamesTheHostsFullest() throws Exception {
        given(usage.usage(NetnsTarget.OWN)).willReturn(new ConntrackUsage(null, 3, 1000, 0.3, 250, 250L, 0.01,
                3L * 256 + 250 * 8, 256, UsageLevel.OK, Instant.parse("2026-11-26T12:00:00Z"), 75, 90));
        given(fullest.fullest()).willReturn(java.util.Optional.of(new FullestNamespace("barslab-x", 4026532281L, false,
                993, 99.3, UsageLevel.CRITICAL, 1, List.of(new FullestNamespace.NamespaceProcess(4242, "envoy")),
                "3f1a9c0d2b4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8")));

        mvc.perform(get("/api/v1/conntrack/usage"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.count").value(3))
                .andExpect(jsonPath("$.level").value("OK"))
                .andExpect(jsonPath("$.fullest.netns").value("barslab-x"))
                .andExpect(jsonPath("$.fullest.inode").value(4026532281L))
                .andExpect(jsonPath("$.fullest.count").value(993))
                .andExpect(jsonPath("$.fullest.usagePercent").value(99.3))
                .andExpect(jsonPath("$.fullest.level").value("CRITICAL"))
                .andExpect(jsonPath("$.fullest.processes[0].command").value("envoy"))
                .andExpect(jsonPath("$.fullest.containerId").value(org.hamcrest.Matchers.startsWith("3f1a9c0d")));
    }

    @Test
    void theNetnsParameterReachesTheServiceAsATarget() throws Exception {
        given(usage.stats(NetnsTarget.parse("lab1"))).willReturn(new ConntrackStats("lab1", List.of("entries"),
                new StatCounters(null, 3L, null, null, null, null, null, null, null, null, null, null, null, null,
                        null, null), List.of(), Instant.EPOCH));

        mvc.perform(get("/api/v1/conntrack/stats").param("netns", "lab1"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.netns").value("lab1"))
                .andExpect(jsonPath("$.totals.entries").value(3))
                .andExpect(jsonPath("$.totals.searchRestart").doesNotExist());
    }

    @Test
    void aBadNamespaceNameIsA400ProblemNamingTheField() throws Exception {
        mvc.perform(get("/api/v1/conntrack/usage").param("netns", "../../etc"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value("netns"));
        verifyNoInteractions(usage);
    }

    @Test
    void conntrackNotLoadedIsA503ProblemWithoutAStackTrace() throws Exception {
        given(usage.usage(any())).willThrow(new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE,
                "conntrack-not-loaded", "Connection tracking not loaded", "nf_conntrack is not loaded"));

        mvc.perform(get("/api/v1/conntrack/usage"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Connection tracking not loaded"))
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:conntrack-not-loaded"))
                .andExpect(jsonPath("$.trace").doesNotExist());
    }

    @Test
    void anUnexpectedFailureIsA500ProblemThatLeaksNoExceptionDetails() throws Exception {
        given(usage.usage(any())).willThrow(new IllegalStateException("secret internal detail"));

        mvc.perform(get("/api/v1/conntrack/usage"))
                .andExpect(status().isInternalServerError())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(content().string(org.hamcrest.Matchers.not(
                        org.hamcrest.Matchers.containsString("secret internal detail"))))
                .andExpect(content().string(org.hamcrest.Matchers.not(
                        org.hamcrest.Matchers.containsString("IllegalStateException"))));
    }

    @Test
    void aWrongMethodIsA405Problem() throws Exception {
        mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete("/api/v1/conntrack/usage"))
                .andExpect(status().isMethodNotAllowed())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    }

    @Test
    void historyWindowIsParsedStrictly() throws Exception {
        given(history.properties()).willReturn(new SamplerProperties(java.time.Duration.ofSeconds(5),
                java.time.Duration.ofHours(1)));

        mvc.perform(get("/api/v1/conntrack/usage/history").param("window", "2h"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("window"));
        mvc.perform(get("/api/v1/conntrack/usage/history").param("window", "15 m"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("window"));
    }
}
