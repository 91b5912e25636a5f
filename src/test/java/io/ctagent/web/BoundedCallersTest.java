package io.ctagent.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.SpecValidation;
import io.ctagent.testsupport.TestApiKeys;

/**
 * What one caller can make the agent hold: a body of at most 64 KB, at most max-streams event
 * streams. Over real HTTP, since both are answered before Spring MVC.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ctagent.events.max-streams=2")
class BoundedCallersTest {

    static final FakeHost HOST = FakeHost.create("bounded");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestApiKeys.register(registry);
        registry.add("ctagent.host.proc-root", HOST::procRoot);
        registry.add("ctagent.host.sys-root", HOST::sysRoot);
        registry.add("ctagent.host.rootfs", HOST::rootfs);
        registry.add("ctagent.host.mode", () -> "dry-run");
        registry.add("ctagent.audit.path", () -> HOST.auditFile().toString());
    }

    @LocalServerPort
    int port;

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .header(TestApiKeys.HEADER, TestApiKeys.OPERATOR);
    }

    @Test
    void aOneMegabyteBodyIs413ProblemJsonWithOrWithoutALength() throws Exception {
        String big = "{\"value\": 1, \"reason\": \"" + "x".repeat(1024 * 1024) + "\"}";
        HttpResponse<String> declared = HTTP.send(request("/api/v1/sysctls/net.netfilter.nf_conntrack_max")
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(big)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(declared.body()).contains("\"status\":413", "64 KB");
        SpecValidation.check(declared);

        // No Content-Length: a publisher of unknown length makes the client send it chunked.
        HttpRequest.BodyPublisher chunked = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofString(big));
        HttpResponse<String> streamed = HTTP.send(request("/api/v1/sysctls/net.netfilter.nf_conntrack_max")
                .header("Content-Type", "application/json").PUT(chunked).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(streamed.statusCode()).isEqualTo(413);
    }

    @Test
    void aBodyUnderTheLimitIsServedEvenChunked() throws Exception {
        HttpRequest.BodyPublisher chunked = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofString("{\"value\": 262144, \"dryRun\": true}"));
        HttpResponse<String> answer = HTTP.send(request("/api/v1/sysctls/net.netfilter.nf_conntrack_max")
                .header("Content-Type", "application/json").PUT(chunked).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isNotIn(413, 400, 500);
    }

    @Test
    void streamsPastMaxStreamsAre503WithRetryAfterAndASlotFreesWhenOneCloses() throws Exception {
        List<InputStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                HttpResponse<InputStream> stream = HTTP.send(request("/api/v1/events/stream")
                        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
                assertThat(stream.statusCode()).isEqualTo(200);
                open.add(stream.body());
            }
            HttpResponse<String> third = HTTP.send(request("/api/v1/events/stream")
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(third.statusCode()).isEqualTo(503);
            assertThat(third.headers().firstValue("Retry-After")).hasValue("30");
            assertThat(third.body()).contains("ctagent.events.max-streams");

            open.remove(0).close();
            HttpResponse<InputStream> again = null;
            for (int attempt = 0; attempt < 150 && (again == null || again.statusCode() != 200); attempt++) {
                if (again != null) {
                    again.body().close();
                    Thread.sleep(100);
                }
                again = HTTP.send(request("/api/v1/events/stream").header("Accept", "text/event-stream").build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            }
            // the agent notices the closed stream at its next keep-alive (every 5 s)
            assertThat(again.statusCode()).as("a closed stream frees its slot").isEqualTo(200);
            open.add(again.body());
        } finally {
            for (InputStream stream : open) {
                stream.close();
            }
        }
    }
}
