package io.ctagent.net;

import java.util.Locale;

import io.ctagent.problem.InvalidInput;

/** The layer-3 family of an entry, as the kernel and conntrack name it. */
public enum Family {
    IPV4("ipv4"),
    IPV6("ipv6");

    private final String text;

    Family(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public static Family parse(String field, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "ipv4" -> IPV4;
            case "ipv6" -> IPV6;
            default -> throw new InvalidInput(field, field + " must be ipv4 or ipv6, not '" + value + "'");
        };
    }
}
