package io.ctagent.entries;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Small ids for the state words in the table (TCP, SCTP, DCCP states), so a line's state is compared
 * and grouped without making a String. Words never seen before are added once.
 */
final class StateNames {

    private static final List<byte[]> NAMES = new ArrayList<>();
    private static volatile byte[][] snapshot;

    static {
        for (TcpState state : TcpState.values()) {
            NAMES.add(state.name().getBytes(StandardCharsets.US_ASCII));
        }
        // SCTP and DCCP states, so the common ones never take the slow path.
        for (String name : new String[] {"CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "SHUTDOWN_SENT", "SHUTDOWN_RECD",
                "SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT", "HEARTBEAT_ACKED", "REQUEST", "RESPOND", "PARTOPEN", "OPEN",
                "CLOSEREQ", "CLOSING", "TIMEWAIT", "IGNORE", "INVALID"}) {
            NAMES.add(name.getBytes(StandardCharsets.US_ASCII));
        }
        snapshot = NAMES.toArray(byte[][]::new);
    }

    private StateNames() {
    }

    /** The id of a TCP state: its ordinal, since TCP states come first. */
    static int of(TcpState state) {
        return state.ordinal();
    }

    static int idOf(byte[] line, int start, int end) {
        byte[][] known = snapshot;
        int length = end - start;
        for (int id = 0; id < known.length; id++) {
            if (known[id].length == length && java.util.Arrays.equals(known[id], 0, length, line, start, end)) {
                return id;
            }
        }
        return add(java.util.Arrays.copyOfRange(line, start, end));
    }

    static String name(int id) {
        return new String(snapshot[id], StandardCharsets.US_ASCII);
    }

    private static synchronized int add(byte[] name) {
        for (int id = 0; id < NAMES.size(); id++) {
            if (java.util.Arrays.equals(NAMES.get(id), name)) {
                return id;
            }
        }
        if (NAMES.size() >= 64) {
            return -1;
        }
        NAMES.add(name);
        snapshot = NAMES.toArray(byte[][]::new);
        return NAMES.size() - 1;
    }
}
