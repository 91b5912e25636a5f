package io.ctagent.entries;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

import io.ctagent.testsupport.SpecValidation;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import jakarta.servlet.FilterChain;

class HeavyReadsTest {

    static final EntriesProperties TWO = new EntriesProperties(TableSource.Choice.AUTO, Duration.ofMinutes(1),
            Duration.ofMinutes(1), 50_000, 2);

    static MockHttpServletRequest get(String path) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        request.setAsyncSupported(true);
        return request;
    }

    @Test
    void pastMaxConcurrentTheNextHeavyReadIs429WithRetryAfterAndOthersAreNotCounted() throws Exception {
        HeavyReads filter = new HeavyReads(TWO);
        CountDownLatch running = new CountDownLatch(2);
        CountDownLatch finish = new CountDownLatch(1);
        FilterChain slow = (request, response) -> {
            running.countDown();
            try {
                finish.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = callers.submit(() -> as("ROLE_OPERATOR", () -> {
                filter.doFilter(get("/api/v1/conntrack/entries/summary"), new MockHttpServletResponse(), slow);
                return null;
            }));
            Future<?> b = callers.submit(() -> as("ROLE_OPERATOR", () -> {
                filter.doFilter(get("/api/v1/diagnosis"), new MockHttpServletResponse(), slow);
                return null;
            }));
            assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();

            MockHttpServletResponse third = new MockHttpServletResponse();
            filter.doFilter(get("/api/v1/conntrack/entries"), third, (request, response) -> {
                throw new AssertionError("must not run");
            });
            assertThat(third.getStatus()).isEqualTo(429);
            assertThat(third.getHeader("Retry-After")).isEqualTo("2");
            assertThat(third.getContentType()).isEqualTo("application/problem+json");
            assertThat(third.getContentAsString()).contains("ctagent.entries.max-concurrent");
            SpecValidation.check("GET", "/api/v1/conntrack/entries", 429, third.getContentType(),
                    third.getContentAsString(), null);

            // Light reads and probes are never counted.
            MockHttpServletResponse usage = new MockHttpServletResponse();
            filter.doFilter(get("/api/v1/conntrack/usage"), usage, (request, response) -> { });
            assertThat(usage.getStatus()).isEqualTo(200);

            finish.countDown();
            a.get(5, TimeUnit.SECONDS);
            b.get(5, TimeUnit.SECONDS);
            MockHttpServletResponse later = new MockHttpServletResponse();
            filter.doFilter(get("/api/v1/conntrack/entries/summary"), later, (request, response) -> { });
            assertThat(later.getStatus()).as("permits come back").isEqualTo(200);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void anEncodedPathIsTheSameHeavyRead() throws Exception {
        HeavyReads filter = new HeavyReads(new EntriesProperties(TableSource.Choice.AUTO, Duration.ofMinutes(1),
                Duration.ofMinutes(1), 50_000, 1));
        MockHttpServletRequest stream = get("/api/v1/conntrack/entries");
        filter.doFilter(stream, new MockHttpServletResponse(), (request, response) -> request.startAsync());

        for (String encoded : List.of("/api/v1/%64iagnosis", "/api/v1/conntrack/%65ntries/summary")) {
            MockHttpServletResponse meanwhile = new MockHttpServletResponse();
            as("ROLE_OPERATOR", () -> {
                filter.doFilter(get(encoded), meanwhile, (request, response) -> { });
                return null;
            });
            assertThat(meanwhile.getStatus()).as(encoded).isEqualTo(429);
        }
        stream.getAsyncContext().complete();
    }

    /** Runs as a caller with this authority, as Spring Security leaves it for the filter. */
    static <T> T as(String authority, Callable<T> work) throws Exception {
        SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                "caller", null, List.of(new SimpleGrantedAuthority(authority))));
        try {
            return work.call();
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    @Test
    void viewersCannotTakeTheLastPermitSoAnOperatorStillGetsADiagnosis() throws Exception {
        HeavyReads filter = new HeavyReads(TWO);
        // A slow ndjson reader: its permit is held until the stream ends.
        MockHttpServletRequest stream = get("/api/v1/conntrack/entries");
        as("ROLE_VIEWER", () -> {
            filter.doFilter(stream, new MockHttpServletResponse(), (request, response) -> request.startAsync());
            return null;
        });
        MockHttpServletResponse secondViewer = new MockHttpServletResponse();
        as("ROLE_VIEWER", () -> {
            filter.doFilter(get("/api/v1/conntrack/entries/summary"), secondViewer, (request, response) -> { });
            return null;
        });
        assertThat(secondViewer.getStatus()).isEqualTo(429);

        MockHttpServletResponse operator = new MockHttpServletResponse();
        as("ROLE_OPERATOR", () -> {
            filter.doFilter(get("/api/v1/diagnosis"), operator, (request, response) -> { });
            return null;
        });
        assertThat(operator.getStatus()).isEqualTo(200);
        stream.getAsyncContext().complete();
    }

    @Test
    void aStreamedAnswerKeepsItsPermitUntilItEnds() throws Exception {
        HeavyReads filter = new HeavyReads(new EntriesProperties(TableSource.Choice.AUTO, Duration.ofMinutes(1),
                Duration.ofMinutes(1), 50_000, 1));
        MockHttpServletRequest stream = get("/api/v1/conntrack/entries");
        filter.doFilter(stream, new MockHttpServletResponse(), (request, response) -> request.startAsync());

        MockHttpServletResponse meanwhile = new MockHttpServletResponse();
        filter.doFilter(get("/api/v1/conntrack/entries"), meanwhile, (request, response) -> { });
        assertThat(meanwhile.getStatus()).isEqualTo(429);

        stream.getAsyncContext().complete();
        MockHttpServletResponse after = new MockHttpServletResponse();
        filter.doFilter(get("/api/v1/conntrack/entries"), after, (request, response) -> { });
        assertThat(after.getStatus()).isEqualTo(200);
    }

    /** A portal's generated client knows which reads may answer 429: the contract lists it on exactly those. */
    @Test
    void theContractLists429OnExactlyTheReadsThatAreBounded() {
        OpenAPI spec = new OpenAPIV3Parser().read("openapi/openapi.yaml");
        assertThat(spec.getPaths()).isNotEmpty();
        int heavy = 0;
        for (Map.Entry<String, PathItem> path : spec.getPaths().entrySet()) {
            for (Map.Entry<PathItem.HttpMethod, Operation> operation : path.getValue().readOperationsMap().entrySet()) {
                boolean bounded = HeavyReads.isHeavy(new MockHttpServletRequest(operation.getKey().name(),
                        path.getKey()));
                heavy += bounded ? 1 : 0;
                assertThat(operation.getValue().getResponses()).as(operation.getKey() + " " + path.getKey())
                        .containsKey("200").matches(responses -> responses.containsKey("429") == bounded,
                                bounded ? "lists 429" : "does not list 429");
            }
        }
        assertThat(heavy).isEqualTo(3);
    }

    /** The cap of concurrent heavy reads, each at its memory bound, fits the shipped heap with room to spare. */
    @Test
    void theConcurrentHeavyReadsAtTheirMemoryBoundTakeAtMostAFifthOfTheShippedHeap() throws Exception {
        Matcher xmx = Pattern.compile("-Xmx(\\d+)m").matcher(Files.readString(Path.of("bin/conntrack-agent")));
        assertThat(xmx.find()).isTrue();
        long heap = Long.parseLong(xmx.group(1)) * 1024 * 1024;
        int maxGroups = defaultOf("summaryMaxGroups");
        int maxConcurrent = defaultOf("maxConcurrent");
        int widest = new GroupKeys(java.util.List.of(GroupBy.values())).width();
        long perRead = GroupCounter.bytesAtMost(widest, maxGroups);
        assertThat(maxConcurrent * perRead).as("%d reads of %d bytes in a heap of %d", maxConcurrent, perRead, heap)
                .isLessThanOrEqualTo(heap / 5);
    }

    private static int defaultOf(String component) {
        var components = EntriesProperties.class.getRecordComponents();
        var types = java.util.Arrays.stream(components).map(java.lang.reflect.RecordComponent::getType)
                .toArray(Class[]::new);
        try {
            var parameters = EntriesProperties.class.getDeclaredConstructor(types).getParameters();
            for (int i = 0; i < components.length; i++) {
                if (components[i].getName().equals(component)) {
                    return Integer.parseInt(parameters[i].getAnnotation(DefaultValue.class).value()[0]);
                }
            }
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no " + component);
    }
}
