package io.ctagent.problem;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A failure written for an operator: what went wrong and what to do about it.
 * Rendered as RFC 9457 problem+json by Spring MVC; never carries a stack trace to the client.
 */
public class OperatorProblem extends ErrorResponseException {

    public OperatorProblem(HttpStatus status, String type, String title, String detail) {
        this(status, type, title, detail, null);
    }

    public OperatorProblem(HttpStatus status, String type, String title, String detail, Throwable cause) {
        super(status, problem(status, type, title, detail), cause);
    }

    /** Adds a named property (a field name, a hint) to the problem body. */
    public OperatorProblem with(String name, Object value) {
        getBody().setProperty(name, value);
        return this;
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:ctagent:problem:" + type));
        problem.setTitle(title);
        return problem;
    }

    @Override
    public String getMessage() {
        return getBody().getTitle() + ": " + getBody().getDetail();
    }
}
