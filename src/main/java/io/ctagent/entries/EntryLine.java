package io.ctagent.entries;

import java.util.ArrayList;
import java.util.List;

import io.ctagent.net.Family;
import io.ctagent.net.IpAddress;

/**
 * One line of the conntrack table parsed into primitives. The reader reuses a single instance for
 * every line, so filtering and summarising allocate nothing per entry; {@link #toEntry()} makes the
 * immutable record only for entries that are actually returned.
 */
final class EntryLine {

    /** Absent numbers (a port on an icmp line, counters with accounting off) are -1. */
    static final int ABSENT = -1;

    Family family;
    int protocol;
    long timeout;
    /** A {@link StateNames} id, or -1 for protocols without state (udp, icmp, ...). */
    int state;
    final Side original = new Side();
    final Side reply = new Side();
    boolean unreplied;
    boolean assured;
    boolean offload;
    boolean hardwareOffload;
    long mark;
    int zone;
    long use;

    /** The line this was parsed from, valid while the visitor runs, to complete a partial parse. */
    private EntryLineParser parser;
    private byte[] line;
    private int start;
    private int end;
    private ParseScope scope = ParseScope.FULL;

    void remember(EntryLineParser parser, byte[] line, int start, int end, ParseScope scope) {
        this.parser = parser;
        this.line = line;
        this.start = start;
        this.end = end;
        this.scope = scope;
    }

    /** Parses the rest of the line when the pass parsed only part of it; only while the visitor runs. */
    EntryLine complete() {
        if (!scope.isFull()) {
            parser.parse(line, start, end, this, ParseScope.FULL);
        }
        return this;
    }

    void clear() {
        family = null;
        protocol = ABSENT;
        timeout = ABSENT;
        state = ABSENT;
        original.clear();
        reply.clear();
        unreplied = false;
        assured = false;
        offload = false;
        hardwareOffload = false;
        mark = ABSENT;
        zone = 0;
        use = ABSENT;
    }

    boolean seenReply() {
        return !unreplied;
    }

    ConntrackEntry toEntry() {
        complete();
        List<String> status = new ArrayList<>(3);
        status.add(unreplied ? "UNREPLIED" : "SEEN_REPLY");
        if (assured) {
            status.add("ASSURED");
        }
        if (hardwareOffload) {
            status.add("HW_OFFLOAD");
        } else if (offload) {
            status.add("OFFLOAD");
        }
        String protocolName = Protocols.name(protocol);
        return new ConntrackEntry(family.text(), protocolName != null ? protocolName : "unknown", protocol, timeout,
                state >= 0 ? StateNames.name(state) : null, original.toTuple(family), reply.toTuple(family), status,
                mark == ABSENT ? null : mark, zone, use == ABSENT ? null : use);
    }

    /** One direction of the connection: the original tuple or the reply tuple. */
    static final class Side {
        long srcHi;
        long srcLo;
        long dstHi;
        long dstLo;
        int sport;
        int dport;
        int icmpType;
        int icmpCode;
        int icmpId;
        long packets;
        long bytes;

        void clear() {
            srcHi = 0;
            srcLo = 0;
            dstHi = 0;
            dstLo = 0;
            sport = ABSENT;
            dport = ABSENT;
            icmpType = ABSENT;
            icmpCode = ABSENT;
            icmpId = ABSENT;
            packets = ABSENT;
            bytes = ABSENT;
        }

        ConntrackEntry.Tuple toTuple(Family family) {
            return new ConntrackEntry.Tuple(IpAddress.format(family, srcHi, srcLo),
                    IpAddress.format(family, dstHi, dstLo), orNull(sport), orNull(dport), orNull(icmpType),
                    orNull(icmpCode), orNull(icmpId), packets == ABSENT ? null : packets,
                    bytes == ABSENT ? null : bytes);
        }

        private static Integer orNull(int value) {
            return value == ABSENT ? null : value;
        }
    }
}
