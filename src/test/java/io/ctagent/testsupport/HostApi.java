package io.ctagent.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.IntSupplier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real HTTP to an agent on 127.0.0.1, each request carrying a test key and each answer checked against
 * openapi/openapi.yaml ({@link SpecValidation}). One copy for the *HostIT classes instead of a send/get helper
 * in each: a {@code @SpringBootTest(webEnvironment = RANDOM_PORT)} adds {@code @Import(HostApi.class)} and
 * autowires it (it reads the port once the server is up).
 */
public final class HostApi {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final IntSupplier port;

    /** The agent of this Spring test context, on its random port. */
    @Autowired
    public HostApi(Environment environment) {
        this.port = () -> environment.getRequiredProperty("local.server.port", Integer.class);
    }

    public HostApi(int port) {
        this.port = () -> port;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port.getAsInt() + path);
    }

    /**
     * Sends a request with this key; the body is JSON or null; {@code headers} are more name, value pairs
     * (e.g. "X-Confirm", token); a header whose value is null is left out.
     */
    public HttpResponse<String> send(String method, String path, String key, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header(TestApiKeys.HEADER, key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            if (headers[i + 1] != null) {
                request.header(headers[i], headers[i + 1]);
            }
        }
        return SpecValidation.check(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()));
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
