package io.ctagent.sysctl;

import io.ctagent.problem.InvalidInput;
import tools.jackson.databind.JsonNode;

/**
 * Client values parsed into a long in the key's range before anything else sees them. Only a JSON
 * integer is accepted: a string (with spaces, newlines or shell characters), a fraction, a boolean
 * or a number beyond 64 bits is refused naming the field.
 */
final class SysctlValue {

    private SysctlValue() {
    }

    static long parse(String field, JsonNode node, SysctlKey key, SysctlSpec spec) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new InvalidInput(field, field + " is required: an integer (" + spec.unit() + ") for " + key);
        }
        if (!node.isIntegralNumber()) {
            throw new InvalidInput(field, field + " must be a JSON integer (" + spec.unit() + ") for " + key
                    + ", not " + describe(node));
        }
        if (!node.canConvertToLong() || node.bigIntegerValue().bitLength() > 63) {
            throw new InvalidInput(field, field + " " + node + " is out of range for " + key + ": it must be between "
                    + spec.min() + " and " + spec.max());
        }
        long value = node.longValue();
        if (value < spec.min() || value > spec.max()) {
            throw new InvalidInput(field, field + " " + value + " is out of range for " + key + ": it must be between "
                    + spec.min() + " and " + spec.max() + " (" + spec.unit() + ")");
        }
        return value;
    }

    /** A free-text reason for the audit log: one printable line, at most 500 characters. */
    static String reason(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        if (raw.length() > 500) {
            throw new InvalidInput("reason", "reason is longer than 500 characters");
        }
        if (raw.codePoints().anyMatch(Character::isISOControl)) {
            throw new InvalidInput("reason", "reason must be one line of printable text (no newlines or control "
                    + "characters): '" + SysctlKey.printable(raw) + "'");
        }
        return raw.strip();
    }

    private static String describe(JsonNode node) {
        if (node.isString()) {
            return "the string \"" + SysctlKey.printable(node.asString()) + "\"";
        }
        if (node.isNumber()) {
            return "the fraction " + node;
        }
        return node.getNodeType().name().toLowerCase() + " " + SysctlKey.printable(node.toString());
    }
}
