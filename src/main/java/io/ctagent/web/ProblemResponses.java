package io.ctagent.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;

/**
 * Documents the errors every operation can answer, by rule rather than by hand, so an endpoint added
 * later is covered too: each status as application/problem+json with the one shared {@code Problem}
 * schema. An operation can declare more (e.g. {@code @ApiResponse(responseCode = "429")}); any 4xx or
 * 5xx response without content gets the problem content here.
 */
@Component
class ProblemResponses implements OpenApiCustomizer {

    static final String PROBLEM = "Problem";

    /** What each status means on this agent, in the operator's words. */
    private static final Map<String, String> MEANING = Map.ofEntries(
            Map.entry("400", "invalid input; the problem names the field. Nothing on the host changed"),
            Map.entry("401", "no credentials, or an API key or token that is not valid"),
            Map.entry("403", "the caller's roles do not reach this operation (requiredRole says which)"),
            Map.entry("404", "the named sysctl, rule, record or network namespace does not exist"),
            Map.entry("405", "the path exists, the method does not"),
            Map.entry("409", "refused by a guard or by the host's current state; the problem says why and what to do"),
            Map.entry("412", "If-Match does not match the current ETag: someone changed it since you read it"),
            Map.entry("413", "the request is larger than the agent accepts"),
            Map.entry("415", "the body is not application/json"),
            Map.entry("429", "too many requests from this caller; retry after the Retry-After delay"),
            Map.entry("500", "an unexpected error; the agent's log has it under the request id"),
            Map.entry("502", "a host command failed; the problem has the command and its exit code"),
            Map.entry("503", "the agent cannot do this now (missing privilege or tool, audit log not writable, "
                    + "host busy); the problem says what to fix"));

    @Override
    public void customise(OpenAPI api) {
        api.getComponents().addSchemas(PROBLEM, problemSchema());
        if (api.getPaths() == null) {
            return;
        }
        api.getPaths().forEach((path, item) -> item.readOperationsMap()
                .forEach((method, operation) -> document(path, method, operation)));
    }

    private static void document(String path, PathItem.HttpMethod method, Operation operation) {
        ApiResponses responses = operation.getResponses();
        for (String status : statuses(path, method, operation)) {
            if (!responses.containsKey(status)) {
                responses.addApiResponse(status, new ApiResponse());
            }
        }
        Map<String, ApiResponse> sorted = new TreeMap<>(responses);
        responses.clear();
        sorted.forEach((status, response) -> {
            if (status.startsWith("3")) {
                response.setContent(null);
            }
            if (status.startsWith("4") || status.startsWith("5")) {
                if (response.getDescription() == null || response.getDescription().isBlank()) {
                    response.setDescription(MEANING.getOrDefault(status, "an error; see the problem"));
                }
                response.setContent(new Content().addMediaType(MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                        new io.swagger.v3.oas.models.media.MediaType()
                                .schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM))));
            }
            responses.addApiResponse(status, response);
        });
    }

    /** The statuses an operation can answer, from its shape: parameters, body, method, headers. */
    static List<String> statuses(String path, PathItem.HttpMethod method, Operation operation) {
        List<Parameter> parameters = operation.getParameters() == null ? List.of() : operation.getParameters();
        boolean mutation = method != PathItem.HttpMethod.GET && method != PathItem.HttpMethod.HEAD;
        boolean body = operation.getRequestBody() != null;
        boolean input = body || !parameters.isEmpty();
        boolean named = path.contains("{") || parameters.stream().anyMatch(p -> "netns".equals(p.getName()));
        boolean conditional = parameters.stream().anyMatch(p -> "If-Match".equalsIgnoreCase(p.getName()));
        Map<String, Boolean> applies = new LinkedHashMap<>();
        applies.put("400", input);
        applies.put("401", true);
        applies.put("403", true);
        applies.put("404", named);
        applies.put("409", mutation);
        applies.put("412", conditional);
        applies.put("413", body);
        applies.put("415", body);
        applies.put("500", true);
        applies.put("502", mutation);
        applies.put("503", true);
        return applies.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
    }

    /** RFC 9457 as this agent writes it (OperatorProblem, InvalidInput, DeniedResponses, ProblemAdvice). */
    private static Schema<?> problemSchema() {
        Schema<?> problem = new ObjectSchema()
                .description("RFC 9457 problem details. type is urn:ctagent:problem:<name> (about:blank for errors "
                        + "outside the API, such as an unknown path); further properties depend on the problem "
                        + "(e.g. guards, etag, commands, exitCode).")
                .addProperty("type", new StringSchema().format("uri").example("urn:ctagent:problem:invalid-input")
                        .description("what kind of problem; stable, for programs"))
                .addProperty("title", new StringSchema().example("Invalid value")
                        .description("a short summary of the type"))
                .addProperty("status", new IntegerSchema().format("int32").example(400)
                        .description("the HTTP status"))
                .addProperty("detail", nullable(new StringSchema()
                        .description("what happened and what to do, for this occurrence")))
                .addProperty("instance", nullable(new StringSchema().format("uri")
                        .description("the request path")))
                .addProperty("field", new StringSchema().example("value")
                        .description("on a 400: the input field at fault (a JSON path, parameter or header name)"))
                .addProperty("auditId", new StringSchema()
                        .description("the audit record of the refused or failed change, when one was written"))
                .addProperty("requestId", new StringSchema()
                        .description("the X-Request-Id of the request; the agent's log lines carry it"))
                .addProperty("requiredRole", new StringSchema().example("operator")
                        .description("on a 403: the role the operation needs"));
        problem.setRequired(List.of("type", "title", "status"));
        problem.setAdditionalProperties(true);
        return problem;
    }

    private static <T extends Schema<?>> T nullable(T schema) {
        schema.setNullable(true);
        return schema;
    }
}
