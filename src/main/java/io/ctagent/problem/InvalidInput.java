package io.ctagent.problem;

import org.springframework.http.HttpStatus;

/** Client input that failed to parse into a typed value. Always names the field. */
public class InvalidInput extends OperatorProblem {

    private final String field;

    public InvalidInput(String field, String detail) {
        super(HttpStatus.BAD_REQUEST, "invalid-input", "Invalid " + field, detail);
        this.field = field;
        with("field", field);
    }

    public String field() {
        return field;
    }
}
