package io.ctagent.web;

import java.net.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Every error leaves as RFC 9457 problem+json written for an operator: the field at fault for
 * bad input, what to do for host failures, and never an exception class or stack trace.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
                                                        HttpStatusCode status, WebRequest request) {
        String field = ex instanceof MethodArgumentTypeMismatchException mismatch ? mismatch.getName()
                : ex.getPropertyName();
        InvalidInput problem = new InvalidInput(field, "'" + ex.getValue() + "' is not a valid value for " + field);
        return handleExceptionInternal(ex, problem.getBody(), headers, HttpStatus.BAD_REQUEST, request);
    }

    /** A JSON body whose field has the wrong type ("dryRun": "yes") names that field, like any bad input. */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        if (ex.getCause() instanceof JacksonException json && !json.getPath().isEmpty()) {
            String field = json.getPath().get(json.getPath().size() - 1).getPropertyName();
            if (field != null) {
                Class<?> expected = json instanceof MismatchedInputException mismatch ? mismatch.getTargetType() : null;
                InvalidInput problem = new InvalidInput(field, field + " has the wrong JSON type; send "
                        + expectedJson(expected));
                return handleExceptionInternal(ex, problem.getBody(), headers, HttpStatus.BAD_REQUEST, request);
            }
        }
        return super.handleHttpMessageNotReadable(ex, headers, status, request);
    }

    private static String expectedJson(Class<?> type) {
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string (or a number)";
        }
        return type != null && Number.class.isAssignableFrom(type) ? "a number" : "an object as documented";
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
        return ResponseEntity.internalServerError().body(problem);
    }

    private static boolean committed(WebRequest request) {
        return request instanceof ServletWebRequest servlet && servlet.getResponse() != null
                && servlet.getResponse().isCommitted();
    }
}
