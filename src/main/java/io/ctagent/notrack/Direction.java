package io.ctagent.notrack;

import java.util.List;

/** Which packets a rule exempts: arriving ones, locally sent ones, or both. */
public enum Direction {
    /** Packets arriving on an interface (the raw prerouting hook). */
    PREROUTING,
    /** Packets this host (namespace) sends, loopback traffic included (the raw output hook). */
    OUTPUT,
    BOTH;

    List<Hook> hooks() {
        return switch (this) {
            case PREROUTING -> List.of(Hook.PREROUTING);
            case OUTPUT -> List.of(Hook.OUTPUT);
            case BOTH -> List.of(Hook.PREROUTING, Hook.OUTPUT);
        };
    }
}
