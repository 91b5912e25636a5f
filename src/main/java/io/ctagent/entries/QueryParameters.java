package io.ctagent.entries;

import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

import io.ctagent.problem.InvalidInput;

/** Refuses query parameters an endpoint does not know: a misspelt filter must not quietly match more. */
final class QueryParameters {

    private QueryParameters() {
    }

    static void requireKnown(HttpServletRequest request, Set<String> known) {
        for (String name : request.getParameterMap().keySet()) {
            if (!known.contains(name)) {
                throw new InvalidInput(name, "unknown query parameter '" + name + "'; this endpoint takes "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
        for (String name : known) {
            String[] values = request.getParameterValues(name);
            if (values != null && values.length > 1) {
                throw new InvalidInput(name, name + " is given " + values.length + " times; give it once");
            }
        }
    }
}
