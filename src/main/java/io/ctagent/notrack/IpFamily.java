package io.ctagent.notrack;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

import io.ctagent.net.Family;

/** The address family a rule applies to. */
public enum IpFamily {
    IPV4, IPV6, BOTH;

    @JsonValue
    String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The single families this one stands for. */
    List<IpFamily> singles() {
        return this == BOTH ? List.of(IPV4, IPV6) : List.of(this);
    }

    /** The rule family of an address. */
    static IpFamily of(Family family) {
        return family == Family.IPV4 ? IPV4 : IPV6;
    }

    boolean overlaps(IpFamily other) {
        return this == BOTH || other == BOTH || this == other;
    }
}
