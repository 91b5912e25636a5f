package io.ctagent.web;

import io.ctagent.problem.RejectedRequest;
import io.ctagent.problem.InvalidInput;
import java.net.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.ErrorResponse;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every error leaves as RFC 9457 problem+json written for an operator: the field at fault for
 * bad input, what to do for host failures, and never an exception class or stack trace.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    private final ApplicationEventPublisher events;

    ProblemAdvice(ApplicationEventPublisher events) {
        this.events = events;
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
                                                        HttpStatusCode status, WebRequest request) {
        String field = ex instanceof MethodArgumentTypeMismatchException mismatch ? mismatch.getName()
                : ex.getPropertyName();
        InvalidInput problem = new InvalidInput(field, "'" + ex.getValue() + "' is not a valid value for " + field);
        return handleExceptionInternal(ex, problem.getBody(), headers, HttpStatus.BAD_REQUEST, request);
    }

    /** Every 400 on a request that would change something is an attempt the audit records. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        if (statusCode.value() == HttpStatus.BAD_REQUEST.value() && request instanceof ServletWebRequest servlet
                && isMutation(servlet.getRequest())) {
            events.publishEvent(rejected(servlet.getRequest(), ex, body));
        }
        return super.handleExceptionInternal(ex, body, headers, statusCode, request);
    }

    /**
     * A role check inside a controller (e.g. whole-table flush needs admin) is left to Spring
     * Security, which answers 403 problem+json and audits the denial; the catch-all below must not
     * turn it into a 500.
     */
    @ExceptionHandler(AccessDeniedException.class)
    void accessDenied(AccessDeniedException ex) {
        throw ex;
    }

    /**
     * A body that is not JSON, or has a value of the wrong type (e.g. "persist": "yes"): 400 naming
     * the field by its JSON path, without the parser's message (it names Java types).
     */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        String field = ex.getCause() instanceof JacksonException json ? jsonPath(json) : "";
        if (ex.getCause() instanceof UnrecognizedPropertyException unknown) {
            InvalidInput problem = new InvalidInput(field, "unknown field '" + unknown.getPropertyName()
                    + "'; this request takes " + String.join(", ", unknown.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().toList()) + ". Nothing was changed.");
            return handleExceptionInternal(ex, problem.getBody(), headers, HttpStatus.BAD_REQUEST, request);
        }
        InvalidInput problem = field.isEmpty()
                ? new InvalidInput("body", "The request body is missing or is not valid JSON.")
                : new InvalidInput(field, field + " has a value of the wrong type for this endpoint.");
        return handleExceptionInternal(ex, problem.getBody(), headers, HttpStatus.BAD_REQUEST, request);
    }

    private static String jsonPath(JacksonException json) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : json.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /**
     * Anything unexpected: logged with its stack trace here, summarised for the client. After a streamed
     * response has started it goes back to the container instead, which cuts the connection, so a
     * half-sent stream never passes for a whole one.
     */
    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception ex, WebRequest request) throws Exception {
        if (committed(request)) {
            throw ex;
        }
        log.error("unexpected error", ex);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "The agent hit an unexpected error; nothing more is known here. Its log has the details "
                        + "(search for the request id).");
        problem.setType(URI.create("urn:ctagent:problem:internal-error"));
        problem.setTitle("Internal error");
        withRequestId(problem);
        return ResponseEntity.internalServerError().body(problem);
    }

    /** Every problem names its request id, so an operator can find the agent's log lines for it. */
    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode statusCode,
                                                          WebRequest request) {
        withRequestId(body);
        return super.createResponseEntity(body, headers, statusCode, request);
    }

    static void withRequestId(Object body) {
        String id = RequestIdFilter.current();
        if (body instanceof ProblemDetail problem && id != null) {
            problem.setProperty("requestId", id);
        }
    }

    private static boolean isMutation(HttpServletRequest request) {
        return switch (request.getMethod()) {
            case "POST", "PUT", "PATCH", "DELETE" -> true;
            default -> false;
        };
    }

    private static RejectedRequest rejected(HttpServletRequest request, Exception ex, Object body) {
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        String path = request.getRequestURI();
        String field = null;
        String detail = ex.getMessage();
        // An ErrorResponse (InvalidInput) arrives with a null body: its problem is on the exception.
        ProblemDetail problem = body instanceof ProblemDetail given ? given
                : ex instanceof ErrorResponse response ? response.getBody() : null;
        if (problem != null) {
            Object named = problem.getProperties() == null ? null : problem.getProperties().get("field");
            field = named == null ? null : named.toString();
            detail = problem.getDetail() != null ? problem.getDetail() : detail;
        }
        return new RejectedRequest(request.getMethod() + " " + (pattern != null ? pattern : path), path, field, detail);
    }

    private static boolean committed(WebRequest request) {
        return request instanceof ServletWebRequest servlet && servlet.getResponse() != null
                && servlet.getResponse().isCommitted();
    }
}
