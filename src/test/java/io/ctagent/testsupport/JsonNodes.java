package io.ctagent.testsupport;

import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;

/** Null-tolerant look-ups in API answers, for tests that poll until something shows up. */
public final class JsonNodes {

    private JsonNodes() {
    }

    /** The first element of the array that passes the test; null when there is none or no array. */
    public static JsonNode find(JsonNode array, Predicate<JsonNode> test) {
        if (array == null) {
            return null;
        }
        for (JsonNode node : array) {
            if (test.test(node)) {
                return node;
            }
        }
        return null;
    }

    /** The field as text; null when it is missing or JSON null. */
    public static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }
}
