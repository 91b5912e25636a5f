package io.ctagent.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import javax.net.ssl.SSLSession;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real HTTP to an agent on 127.0.0.1, each request carrying a test key (or none) and each answer checked against
 * openapi/openapi.yaml ({@link SpecValidation}). The one way the *HostIT, *FaultIT and load tests talk to an
 * agent: a {@code @SpringBootTest(webEnvironment = RANDOM_PORT)} adds {@code @Import(HostApi.class)} and
 * autowires it (it reads the port once the server is up); an agent started as a process is reached through
 * {@link AgentProcess#api()}, one inside a lab namespace from inside that namespace.
 */
public final class HostApi {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String LOOPBACK = "127.0.0.1";

    private final IntSupplier port;
    /** The lab namespace the requests are made from, or null for this machine's own. */
    private final String netns;
    /** The agent's address as seen from there. */
    private final String host;
    private final Duration timeout;

    /** The agent of this Spring test context, on its random port. */
    @Autowired
    public HostApi(Environment environment) {
        this(() -> environment.getRequiredProperty("local.server.port", Integer.class), null, LOOPBACK, TIMEOUT);
    }

    public HostApi(int port) {
        this(() -> port, null, LOOPBACK, TIMEOUT);
    }

    private HostApi(IntSupplier port, String netns, String host, Duration timeout) {
        this.port = port;
        this.netns = netns;
        this.host = host;
        this.timeout = timeout;
    }

    /**
     * An agent on this port inside a lab namespace: a JVM cannot enter a namespace, so each request is made
     * from inside it with curl ({@code ip netns exec}), over that namespace's 127.0.0.1.
     */
    public static HostApi inNamespace(String netns, int port) {
        return inNamespace(netns, LOOPBACK, port);
    }

    /** From inside lab namespace {@code netns} to an agent at {@code host}:{@code port} (a lab router's address). */
    public static HostApi inNamespace(String netns, String host, int port) {
        return new HostApi(() -> port, netns, host, TIMEOUT);
    }

    /** The same agent, each request given up after {@code timeout} (an {@link HttpTimeoutException}). */
    public HostApi timeout(Duration timeout) {
        return new HostApi(port, netns, host, timeout);
    }

    public URI uri(String path) {
        return URI.create("http://" + host + ":" + port.getAsInt() + path);
    }

    /**
     * Sends a request with this key (none when null); the body is JSON or null; {@code headers} are more name,
     * value pairs (e.g. "X-Confirm", token); a header whose value is null is left out. No answer within the
     * timeout is an {@link HttpTimeoutException}, no connection another IOException.
     */
    public HttpResponse<String> send(String method, String path, String key, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest request = request(method, path, key, body, headers);
        return SpecValidation.check(netns == null ? HTTP.send(request, HttpResponse.BodyHandlers.ofString())
                : curlInside(request, body));
    }

    /**
     * Asks for an event stream (text/event-stream) without waiting for the answer; its status and content type
     * are checked, its body is the caller's to read and close. An answer that is no stream (a problem, e.g. 503
     * past the cap) is read whole and checked with its body, and handed back readable.
     */
    public CompletableFuture<HttpResponse<InputStream>> stream(String path, String key) {
        if (netns != null) {
            throw new UnsupportedOperationException("streams from inside a lab namespace");
        }
        return HTTP.sendAsync(request("GET", path, key, null, "Accept", "text/event-stream"),
                HttpResponse.BodyHandlers.ofInputStream()).thenApply(HostApi::checkStream);
    }

    private static HttpResponse<InputStream> checkStream(HttpResponse<InputStream> response) {
        String type = response.headers().firstValue("Content-Type").orElse(null);
        if (type != null && type.startsWith("text/event-stream")) {
            return SpecValidation.check(response);
        }
        try (InputStream body = response.body()) {
            byte[] bytes = body.readAllBytes();
            SpecValidation.check(response.request().method(), response.uri().getRawPath(), response.statusCode(), type,
                    new String(bytes, StandardCharsets.UTF_8), response.uri().getRawQuery());
            return new Answer<>(response.request(), response.statusCode(), response.headers(),
                    new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpRequest request(String method, String path, String key, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header(TestApiKeys.HEADER, key);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            if (headers[i + 1] != null) {
                request.header(headers[i], headers[i + 1]);
            }
        }
        return request.build();
    }

    /** The request made with curl inside the lab namespace; its answer as java.net.http would give it. */
    private HttpResponse<String> curlInside(HttpRequest request, String body) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(HostPrerequisites.which("ip"), "netns", "exec", netns,
                HostPrerequisites.which("curl"), "-s", "-X", request.method(), "-o", "-",
                "-w", "\n%{http_code} %{content_type}",
                "--max-time", String.format(Locale.ROOT, "%.3f", timeout.toMillis() / 1000.0)));
        request.headers().map().forEach((name, values) -> values.forEach(value -> argv.addAll(List.of("-H",
                name + ": " + value))));
        if (body != null) {
            argv.addAll(List.of("--data-binary", "@-"));
        }
        argv.add(request.uri().toString());
        Process curl = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream stdin = curl.getOutputStream()) {
            if (body != null) {
                stdin.write(body.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!curl.waitFor(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
            curl.destroyForcibly();
        }
        String what = request.method() + " " + request.uri() + " inside " + netns;
        if (curl.isAlive() || curl.exitValue() == 28) {
            throw new HttpTimeoutException(what + ": no answer within " + timeout);
        }
        if (curl.exitValue() != 0) {
            throw new IOException(what + ": curl exited " + curl.exitValue());
        }
        int newline = out.lastIndexOf('\n');
        String[] statusAndType = out.substring(newline + 1).split(" ", 2);
        Map<String, List<String>> headers = statusAndType.length < 2 || statusAndType[1].isBlank() ? Map.of()
                : Map.of("Content-Type", List.of(statusAndType[1].strip()));
        return new Answer<>(request, Integer.parseInt(statusAndType[0]), HttpHeaders.of(headers, (name, value) -> true),
                out.substring(0, newline));
    }

    /** An answer not from java.net.http's client (curl's, or a refusal read whole), in its shape. */
    private record Answer<T>(HttpRequest request, int statusCode, HttpHeaders headers, T body)
            implements HttpResponse<T> {

        @Override
        public Optional<HttpResponse<T>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }

    /**
     * Sends with the key of the least role that may (a viewer's for GET, an operator's otherwise), asserts the
     * status and returns the body as JSON.
     */
    public JsonNode expect(String method, String path, String body, int status) throws Exception {
        String key = method.equals("GET") ? TestApiKeys.VIEWER : TestApiKeys.OPERATOR;
        return json(send(method, path, key, body), method + " " + path, status);
    }

    /** A viewer's GET that must answer 200, as JSON. */
    public JsonNode get(String path) throws Exception {
        return expect("GET", path, null, 200);
    }

    /** The body as JSON, after asserting the status. */
    public static JsonNode json(HttpResponse<String> response, String what, int status) {
        assertThat(response.statusCode()).as(what + ": " + response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }
}
