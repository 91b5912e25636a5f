package io.ctagent.notrack;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/** The transport protocols a rule can match ports of. */
public enum Protocol {
    TCP, UDP;

    @JsonValue
    String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
