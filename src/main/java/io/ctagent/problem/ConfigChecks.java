package io.ctagent.problem;

/**
 * Checks for configuration values, called from the properties records' constructors: a bad value
 * stops the start-up with a message that names the property. Plain code instead of Bean
 * Validation, whose 700 classes were the largest removable share of the agent's resident memory
 * (docs/PERFORMANCE.md).
 */
public final class ConfigChecks {

    private ConfigChecks() {
    }

    /** @return value, when {@code min <= value <= max} */
    public static int between(String property, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(property + " is " + value + "; it must be between " + min + " and "
                    + max);
        }
        return value;
    }

    /** @return value, when it is set */
    public static <T> T required(String property, T value) {
        if (value == null) {
            throw new IllegalArgumentException(property + " must be set");
        }
        return value;
    }

    /** @return value, when it has a non-blank character */
    public static String text(String property, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(property + " must not be empty");
        }
        return value;
    }

    /** Fails with {@code property + " " + rule} unless ok. */
    public static void check(boolean ok, String property, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(property + " " + rule);
        }
    }
}
