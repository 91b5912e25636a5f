package io.ctagent.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.ResultHandler;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;

/**
 * Checks a response the tests received against the committed openapi/openapi.yaml: the status must
 * be documented for the operation, the content type listed, and the body valid against its schema
 * (properties the spec does not name included). So a response that drifts from the contract fails
 * the test that received it. Checked: every response to a path of the API (/api/v1/...) that the
 * spec has with that method; others (actuator, Swagger UI, an unknown path) are not API operations.
 * Streams (NDJSON, server-sent events) are checked for status and content type, not body.
 */
public final class SpecValidation {

    static final Path SPEC = Path.of("openapi/openapi.yaml");
    /** Each test JVM adds a line with its count here; the report reads it. */
    static final Path COUNT = Path.of("target/spec-validated-responses.txt");

    private static final AtomicInteger VALIDATED = new AtomicInteger();
    private static volatile OpenApiInteractionValidator validator;

    private SpecValidation() {
    }

    /** A MockMvc result handler: every MockMvc call of a test context goes through it. */
    public static ResultHandler mockMvc() {
        return SpecValidation::check;
    }

    public static void check(MvcResult result) throws Exception {
        MockHttpServletResponse response = result.getResponse();
        if (response.getStatus() >= 400 && response.getContentLength() == 0 && response.getContentAsByteArray().length == 0
                && response.isCommitted()) {
            // sendError outside a controller (the firewall): a container renders it through /error
            // as problem+json (ProblemErrorController), which MockMvc does not do; the HTTP tests see that.
            return;
        }
        String query = result.getRequest().getQueryString();
        check(result.getRequest().getMethod(), result.getRequest().getRequestURI(), response.getStatus(),
                response.getContentType(), response.getContentAsString(StandardCharsets.UTF_8),
                query == null ? "" : query);
    }

    /** Checks a response from java.net.http and hands it back, for use around client.send(...). */
    public static <T> HttpResponse<T> check(HttpResponse<T> response) {
        Object body = response.body();
        check(response.request().method(), response.uri().getRawPath(), response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null),
                body instanceof String text ? text : null, response.uri().getRawQuery());
        return response;
    }

    public static void check(String method, String path, int status, String contentType, String body, String query) {
        if (!path.startsWith("/api/v1/") || method.equals("HEAD") || method.equals("OPTIONS")) {
            return;
        }
        boolean stream = contentType != null && (contentType.startsWith("application/x-ndjson")
                || contentType.startsWith("text/event-stream"));
        SimpleResponse.Builder response = SimpleResponse.Builder.status(status);
        if (contentType != null) {
            response.withContentType(contentType);
        }
        if (body != null && !body.isEmpty() && !stream) {
            response.withBody(body);
        }
        ValidationReport report = validator().validateResponse(path,
                Request.Method.valueOf(method.toUpperCase(Locale.ROOT)), response.build());
        if (report.getMessages().stream().anyMatch(message -> message.getKey().equals("validation.request.path.missing")
                || message.getKey().equals("validation.request.operation.notAllowed"))) {
            return;
        }
        report = stream ? withoutKey(report, "validation.response.body.missing") : report;
        if (report.hasErrors()) {
            throw new AssertionError("The response to " + method + " " + path + (query == null || query.isEmpty()
                    ? "" : "?" + query) + " (" + status + ", " + contentType + ") does not match openapi/openapi.yaml:\n"
                    + report.getMessages().stream().map(message -> "  - " + message.getKey() + ": "
                    + message.getMessage()).reduce("", (a, b) -> a + b + "\n") + "body: " + abbreviate(body));
        }
        VALIDATED.incrementAndGet();
    }

    /** How many responses this JVM has checked so far. */
    public static int validated() {
        return VALIDATED.get();
    }

    private static ValidationReport withoutKey(ValidationReport report, String key) {
        return ValidationReport.from(report.getMessages().stream()
                .filter(message -> !message.getKey().equals(key)).toList());
    }

    private static String abbreviate(String body) {
        return body == null ? "(none)" : body.length() > 2000 ? body.substring(0, 2000) + "..." : body;
    }

    private static OpenApiInteractionValidator validator() {
        OpenApiInteractionValidator current = validator;
        if (current == null) {
            synchronized (SpecValidation.class) {
                current = validator;
                if (current == null) {
                    try {
                        current = OpenApiInteractionValidator.createForInlineApiSpecification(Files.readString(SPEC))
                                .build();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    validator = current;
                    Runtime.getRuntime().addShutdownHook(new Thread(SpecValidation::writeCount));
                }
            }
        }
        return current;
    }

    private static void writeCount() {
        try {
            Files.createDirectories(COUNT.getParent());
            Files.writeString(COUNT, ProcessHandle.current().pid() + " " + VALIDATED.get() + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // The count is a report; the checks themselves already ran.
        }
    }
}
