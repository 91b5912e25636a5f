package io.ctagent.entries;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import io.ctagent.problem.InvalidInput;

/** The TCP states the kernel prints (tcp_conntrack_names) and `conntrack --state` accepts. */
public enum TcpState {
    NONE, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE, SYN_SENT2;

    static TcpState parse(String field, String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInput(field, field + " must be a TCP state (" + Arrays.stream(values())
                    .map(Enum::name).collect(Collectors.joining(", ")) + "), not '" + value + "'");
        }
    }
}
