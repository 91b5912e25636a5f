package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import io.ctagent.testsupport.FakeHost;

/**
 * Every endpoint the application maps x {no key, each role, a wrong key}. Endpoints are read from
 * the handler mappings, so a new endpoint without an expectation below fails this test: decide
 * who may call it here and in AccessRules.
 */
@SpringBootTest
@AutoConfigureMockMvc
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityMatrixTest {

    /** Who an endpoint is for. */
    enum For { PUBLIC, VIEWER, OPERATOR, AUDITOR, NOBODY }

    /**
     * Expected access by "METHOD pattern" ({} for any path variable), written from
     * ARCHITECTURE.md's endpoint table, not from AccessRules, so the two check each other.
     */
    static final Map<String, For> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("GET /api/v1/agent", For.VIEWER);
        EXPECTED.put("GET /api/v1/conntrack/usage", For.VIEWER);
        EXPECTED.put("GET /api/v1/conntrack/stats", For.VIEWER);
        EXPECTED.put("GET /api/v1/conntrack/usage/history", For.VIEWER);
        EXPECTED.put("GET /api/v1/conntrack/entries", For.VIEWER);
        EXPECTED.put("GET /api/v1/conntrack/entries/summary", For.VIEWER);
        EXPECTED.put("POST /api/v1/conntrack/flush", For.OPERATOR);
        EXPECTED.put("GET /api/v1/sysctls", For.VIEWER);
        EXPECTED.put("GET /api/v1/sysctls/{}", For.VIEWER);
        EXPECTED.put("PUT /api/v1/sysctls/{}", For.OPERATOR);
        EXPECTED.put("PATCH /api/v1/sysctls", For.OPERATOR);
        EXPECTED.put("POST /api/v1/sysctls/rollback", For.OPERATOR);
        EXPECTED.put("GET /api/v1/hashsize", For.VIEWER);
        EXPECTED.put("PUT /api/v1/hashsize", For.OPERATOR);
        EXPECTED.put("GET /api/v1/tuning/recommendation", For.VIEWER);
        EXPECTED.put("GET /api/v1/notrack/rules", For.VIEWER);
        EXPECTED.put("POST /api/v1/notrack/rules", For.OPERATOR);
        EXPECTED.put("GET /api/v1/notrack/rules/{}", For.VIEWER);
        EXPECTED.put("DELETE /api/v1/notrack/rules/{}", For.OPERATOR);
        EXPECTED.put("GET /api/v1/netns", For.VIEWER);
        EXPECTED.put("GET /api/v1/netns/history", For.VIEWER);
        EXPECTED.put("GET /api/v1/events", For.VIEWER);
        EXPECTED.put("GET /api/v1/events/stream", For.VIEWER);
        EXPECTED.put("GET /api/v1/diagnosis", For.VIEWER);
        EXPECTED.put("GET /api/v1/audit", For.AUDITOR);
        EXPECTED.put("GET /api/v1/audit/verify", For.AUDITOR);
        EXPECTED.put("GET /v3/api-docs", For.PUBLIC);
        EXPECTED.put("GET /v3/api-docs.yaml", For.PUBLIC);
        EXPECTED.put("GET /v3/api-docs/swagger-config", For.PUBLIC);
        EXPECTED.put("GET /swagger-ui.html", For.PUBLIC);
        // The error page is for the container's error dispatch, never a direct call.
        EXPECTED.put("GET /error", For.NOBODY);
        EXPECTED.put("POST /error", For.NOBODY);
        EXPECTED.put("PUT /error", For.NOBODY);
        EXPECTED.put("PATCH /error", For.NOBODY);
        EXPECTED.put("DELETE /error", For.NOBODY);
    }

    static final FakeHost HOST = FakeHost.create("matrix");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestKeys.register(registry, HOST);
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping handlerMapping;

    /** "METHOD pattern" for every handler method the application maps. */
    List<String> mappedEndpoints() {
        Set<String> endpoints = new TreeSet<>();
        for (RequestMappingInfo info : handlerMapping.getHandlerMethods().keySet()) {
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            List<RequestMethod> tried = methods.isEmpty()
                    ? List.of(RequestMethod.GET, RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH,
                            RequestMethod.DELETE)
                    : List.copyOf(methods);
            for (String pattern : info.getPatternValues()) {
                for (RequestMethod method : tried) {
                    endpoints.add(method.name() + " " + pattern);
                }
            }
        }
        return List.copyOf(endpoints);
    }

    Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (String endpoint : mappedEndpoints()) {
            for (String caller : List.of("none", "viewer", "operator", "admin", "auditor", "wrong")) {
                cases.add(Arguments.of(endpoint, caller));
            }
        }
        return cases.stream();
    }

    @Test
    void everyMappedEndpointHasAnExpectation() {
        List<String> missing = mappedEndpoints().stream()
                .filter(endpoint -> !EXPECTED.containsKey(normalise(endpoint)))
                .toList();
        assertThat(missing)
                .as("endpoints without an access expectation: add them to EXPECTED here and to AccessRules")
                .isEmpty();
        assertThat(mappedEndpoints()).contains("GET /api/v1/conntrack/usage", "GET /api/v1/audit/verify");
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("matrix")
    void endpointAnswersByRole(String endpoint, String caller) throws Exception {
        For expected = EXPECTED.get(normalise(endpoint));
        assertThat(expected).as("expectation for " + endpoint).isNotNull();
        String method = endpoint.substring(0, endpoint.indexOf(' '));
        String path = concrete(endpoint.substring(endpoint.indexOf(' ') + 1));

        MvcResult result = mvc.perform(call(method, path, caller)).andReturn();
        int status = result.getResponse().getStatus();

        String what = endpoint + " as " + caller + " answered " + status;
        if (caller.equals("wrong")) {
            assertThat(status).as(what).isEqualTo(401);
        } else if (caller.equals("none")) {
            // Without a key a path nobody may call is answered like any other: 401.
            int wanted = expected == For.PUBLIC ? -1 : 401;
            if (wanted == -1) {
                assertThat(status).as(what).isNotIn(401, 403);
            } else {
                assertThat(status).as(what).isEqualTo(wanted);
            }
        } else if (expected == For.NOBODY) {
            // A caller with a key learns that there is nothing there for it (404), as for an unknown path.
            assertThat(status).as(what).isEqualTo(404);
        } else if (allowed(expected, caller)) {
            assertThat(status).as(what).isNotIn(401, 403);
        } else {
            assertThat(status).as(what).isEqualTo(403);
        }
        if (status == 401 || status == 403 || expected == For.NOBODY) {
            assertThat(result.getResponse().getContentType()).as(what).startsWith("application/problem+json");
        }
    }

    static boolean allowed(For expected, String role) {
        return switch (expected) {
            case PUBLIC -> true;
            case VIEWER -> Set.of("viewer", "operator", "admin").contains(role);
            case OPERATOR -> Set.of("operator", "admin").contains(role);
            case AUDITOR -> Set.of("auditor", "admin").contains(role);
            case NOBODY -> false;
        };
    }

    static MockHttpServletRequestBuilder call(String method, String path, String caller) {
        MockHttpServletRequestBuilder builder = request(HttpMethod.valueOf(method), path);
        if (!method.equals("GET")) {
            builder.contentType(MediaType.APPLICATION_JSON).content("{}");
        }
        String key = caller.equals("wrong") ? TestKeys.WRONG : TestKeys.BY_ROLE.get(caller);
        if (key != null) {
            builder.header(ApiKeys.HEADER, key);
        }
        return builder;
    }

    static String normalise(String endpoint) {
        return endpoint.replaceAll("\\{[^}]*}", "{}");
    }

    static String concrete(String pattern) {
        return pattern.replace("{key}", "net.netfilter.nf_conntrack_max").replaceAll("\\{[^}]*}", "x");
    }
}
