package io.ctagent.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.testsupport.SpecValidation;

/** A small HTTP client for the agent under test: one key per request, JSON bodies. */
final class Http {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;

    Http(int port) {
        this.port = port;
    }

    HttpResponse<String> send(String method, String path, String key, String body) throws IOException {
        return send(method, path, key, body, java.util.Map.of());
    }

    /** With extra headers, e.g. X-Confirm. */
    HttpResponse<String> send(String method, String path, String key, String body,
                              java.util.Map<String, String> headers) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .header(TestApiKeys.HEADER, key)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            return SpecValidation.check(client.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    HttpResponse<String> get(String path) throws IOException {
        return send("GET", path, TestApiKeys.ADMIN, null);
    }
}
