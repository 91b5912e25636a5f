package io.ctagent.entries;

import io.ctagent.net.AddressParser;
import io.ctagent.net.Family;

/**
 * Parses a line of /proc/net/nf_conntrack or of `conntrack -L -o extended`: both print
 * {@code FAMILY L3NUM PROTO L4NUM TIMEOUT [STATE] original-tuple [UNREPLIED] reply-tuple [FLAGS] key=value...}
 * where a tuple is {@code src= dst= [sport= dport= | type= code= id=] [packets= bytes=]}. A hand-written
 * tokenizer over the bytes: no regex, no split, no String per line. Keys it does not know (secctx, gre
 * keys, delta-time, ...) are skipped, so newer kernels' additions do not break it.
 */
final class EntryLineParser {

    private final long[] address = new long[2];
    private final int[] groups = new int[8];

    /** Fills entry from bytes [start, end) of one line; false when the line is not an entry. */
    boolean parse(byte[] line, int start, int end, EntryLine entry) {
        return parse(line, start, end, entry, ParseScope.FULL);
    }

    /** As {@link #parse(byte[], int, int, EntryLine)}, parsing only what the scope asks for. */
    boolean parse(byte[] line, int start, int end, EntryLine entry, ParseScope scope) {
        entry.clear();
        entry.remember(this, line, start, end, scope);
        int p = skipSpaces(line, start, end);
        int t = tokenEnd(line, p, end);
        if (t - p == 4 && line[p] == 'i' && line[p + 1] == 'p' && line[p + 2] == 'v') {
            if (line[p + 3] == '4') {
                entry.family = Family.IPV4;
            } else if (line[p + 3] == '6') {
                entry.family = Family.IPV6;
            }
        }
        if (entry.family == null) {
            return false;
        }
        p = skipSpaces(line, t, end);
        t = tokenEnd(line, p, end); // layer-3 number: implied by the family
        p = skipSpaces(line, t, end);
        t = tokenEnd(line, p, end); // protocol name: the number that follows says the same
        p = skipSpaces(line, t, end);
        t = tokenEnd(line, p, end);
        long protocol = number(line, p, t);
        if (protocol < 0 || protocol > 255) {
            return false;
        }
        entry.protocol = (int) protocol;
        p = skipSpaces(line, t, end);
        t = tokenEnd(line, p, end);
        entry.timeout = number(line, p, t);
        if (entry.timeout < 0) {
            return false;
        }
        boolean icmp = protocol == Protocols.ICMP || protocol == Protocols.ICMPV6;
        int tuples = 0;
        EntryLine.Side side = null;
        for (p = skipSpaces(line, t, end); p < end; p = skipSpaces(line, t, end)) {
            t = tokenEnd(line, p, end);
            if (line[p] == '[') {
                flag(line, p, t, entry);
                continue;
            }
            int eq = indexOf(line, (byte) '=', p, t);
            if (eq < 0) {
                if (tuples == 0 && entry.state < 0) {
                    entry.state = StateNames.idOf(line, p, t);
                }
                continue;
            }
            int v = eq + 1;
            switch (eq - p) {
                case 2 -> {
                    if (icmp && side != null && line[p] == 'i' && line[p + 1] == 'd') {
                        side.icmpId = (int) number(line, v, t);
                    }
                }
                case 3 -> {
                    if (is(line, p, 's', 'r', 'c')) {
                        tuples++;
                        if (tuples == 2 && !scope.rest()) {
                            return true; // the reply tuple starts: nothing after it is wanted
                        }
                        side = tuples == 1 ? entry.original : tuples == 2 ? entry.reply : null;
                        if (side != null && scope.addresses()) {
                            if (!address(line, v, t, entry.family)) {
                                return false;
                            }
                            side.srcHi = address[0];
                            side.srcLo = address[1];
                        }
                    } else if (is(line, p, 'd', 's', 't')) {
                        if (side != null && scope.addresses()) {
                            if (!address(line, v, t, entry.family)) {
                                return false;
                            }
                            side.dstHi = address[0];
                            side.dstLo = address[1];
                        }
                    } else if (is(line, p, 'u', 's', 'e')) {
                        entry.use = number(line, v, t);
                    }
                }
                case 4 -> {
                    if (is(line, p, 'm', 'a', 'r', 'k')) {
                        entry.mark = number(line, v, t);
                    } else if (is(line, p, 'z', 'o', 'n', 'e')) {
                        entry.zone = (int) number(line, v, t);
                    } else if (icmp && side != null && is(line, p, 't', 'y', 'p', 'e')) {
                        side.icmpType = (int) number(line, v, t);
                    } else if (icmp && side != null && is(line, p, 'c', 'o', 'd', 'e')) {
                        side.icmpCode = (int) number(line, v, t);
                    }
                }
                case 5 -> {
                    if (side == null) {
                        continue;
                    }
                    if (is(line, p, 's', 'p', 'o', 'r', 't')) {
                        side.sport = (int) number(line, v, t);
                    } else if (is(line, p, 'd', 'p', 'o', 'r', 't')) {
                        side.dport = (int) number(line, v, t);
                    } else if (is(line, p, 'b', 'y', 't', 'e', 's')) {
                        side.bytes = number(line, v, t);
                    }
                }
                case 7 -> {
                    if (side != null && is(line, p, 'p', 'a', 'c', 'k', 'e', 't', 's')) {
                        side.packets = number(line, v, t);
                    }
                }
                default -> {
                    // secctx=, srckey=, delta-time=, zone-orig=, gre's timeout=: not part of the model
                }
            }
        }
        return tuples >= 2;
    }

    private static void flag(byte[] line, int p, int t, EntryLine entry) {
        int length = t - p;
        if (length == 11 && line[p + 1] == 'U') {
            entry.unreplied = true; // [UNREPLIED]
        } else if (length == 9 && line[p + 1] == 'A') {
            entry.assured = true; // [ASSURED]
        } else if (length == 9 && line[p + 1] == 'O') {
            // The kernel prints [OFFLOAD] instead of [ASSURED]; it offloads only assured connections.
            entry.offload = true;
            entry.assured = true;
        } else if (length == 12 && line[p + 1] == 'H') {
            entry.hardwareOffload = true; // [HW_OFFLOAD], likewise assured
            entry.offload = true;
            entry.assured = true;
        }
    }

    private boolean address(byte[] line, int start, int end, Family family) {
        if (family == Family.IPV4) {
            long v4 = AddressParser.ipv4(line, start, end);
            address[0] = 0;
            address[1] = v4;
            return v4 >= 0;
        }
        return AddressParser.ipv6(line, start, end, address, groups);
    }

    /** A non-negative decimal number, or -1. */
    private static long number(byte[] line, int start, int end) {
        if (start >= end || end - start > 19) {
            return -1;
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            int digit = line[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static int skipSpaces(byte[] line, int p, int end) {
        while (p < end && (line[p] == ' ' || line[p] == '\t')) {
            p++;
        }
        return p;
    }

    private static int tokenEnd(byte[] line, int p, int end) {
        while (p < end && line[p] != ' ' && line[p] != '\t') {
            p++;
        }
        return p;
    }

    private static int indexOf(byte[] line, byte b, int p, int end) {
        for (int i = p; i < end; i++) {
            if (line[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean is(byte[] line, int p, char a, char b, char c) {
        return line[p] == a && line[p + 1] == b && line[p + 2] == c;
    }

    private static boolean is(byte[] line, int p, char a, char b, char c, char d) {
        return line[p] == a && line[p + 1] == b && line[p + 2] == c && line[p + 3] == d;
    }

    private static boolean is(byte[] line, int p, char a, char b, char c, char d, char e) {
        return line[p] == a && line[p + 1] == b && line[p + 2] == c && line[p + 3] == d && line[p + 4] == e;
    }

    private static boolean is(byte[] line, int p, char a, char b, char c, char d, char e, char f, char g) {
        return line[p] == a && line[p + 1] == b && line[p + 2] == c && line[p + 3] == d && line[p + 4] == e
                && line[p + 5] == f && line[p + 6] == g;
    }
}
