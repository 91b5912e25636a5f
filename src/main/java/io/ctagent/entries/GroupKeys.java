package io.ctagent.entries;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ctagent.net.Family;
import io.ctagent.net.IpAddress;

/**
 * Packs the grouped fields of an entry into a few longs, so counting needs no object per entry.
 * Word 0 holds protocol, state and ports; word 1 the mark, the address family and the zone; then two
 * words (hi, lo) per grouped address. Fields not grouped stay zero.
 */
final class GroupKeys {

    private final List<GroupBy> dimensions;
    private final boolean protocol;
    private final boolean state;
    private final boolean sport;
    private final boolean dport;
    private final boolean zone;
    private final boolean mark;
    private final int srcWord;
    private final int dstWord;
    private final int width;

    GroupKeys(List<GroupBy> dimensions) {
        this.dimensions = dimensions;
        this.protocol = dimensions.contains(GroupBy.PROTOCOL);
        this.state = dimensions.contains(GroupBy.STATE);
        this.sport = dimensions.contains(GroupBy.SPORT);
        this.dport = dimensions.contains(GroupBy.DPORT);
        this.zone = dimensions.contains(GroupBy.ZONE);
        this.mark = dimensions.contains(GroupBy.MARK);
        int next = 2;
        this.srcWord = dimensions.contains(GroupBy.SRC) ? next : -1;
        next += srcWord > 0 ? 2 : 0;
        this.dstWord = dimensions.contains(GroupBy.DST) ? next : -1;
        next += dstWord > 0 ? 2 : 0;
        this.width = next;
    }

    /** What of each line the key reads. */
    ParseScope scope() {
        return new ParseScope(srcWord > 0 || dstWord > 0, zone || mark);
    }

    /** How many longs one key takes. */
    int width() {
        return width;
    }

    /** Writes the key of an entry into key[0, width). Absent values are stored as value + 1 = 0. */
    void encode(EntryLine e, long[] key) {
        long small = 0;
        if (protocol) {
            small |= e.protocol & 0xFFL;
        }
        if (state) {
            small |= ((e.state + 1) & 0x7FL) << 8;
        }
        if (sport) {
            small |= ((e.original.sport + 1) & 0x1FFFFL) << 15;
        }
        if (dport) {
            small |= ((e.original.dport + 1) & 0x1FFFFL) << 32;
        }
        long second = 0;
        if (zone) {
            second |= (e.zone & 0xFFFFL) << 41;
        }
        if (mark) {
            second |= (e.mark + 1) & 0x1_FFFF_FFFFL;
        }
        if (srcWord > 0 || dstWord > 0) {
            second |= (e.family == Family.IPV6 ? 1L : 0L) << 40;
        }
        key[0] = small;
        key[1] = second;
        if (srcWord > 0) {
            key[srcWord] = e.original.srcHi;
            key[srcWord + 1] = e.original.srcLo;
        }
        if (dstWord > 0) {
            key[dstWord] = e.original.dstHi;
            key[dstWord + 1] = e.original.dstLo;
        }
    }

    /** The key as an operator reads it: {"protocol": "udp", "dport": 53}; absent values are null. */
    Map<String, Object> decode(long[] keys, int offset) {
        long small = keys[offset];
        long second = keys[offset + 1];
        Family family = ((second >>> 40) & 1) == 1 ? Family.IPV6 : Family.IPV4;
        Map<String, Object> key = new LinkedHashMap<>();
        for (GroupBy dimension : dimensions) {
            Object value = switch (dimension) {
                case PROTOCOL -> Protocols.label((int) (small & 0xFF));
                case STATE -> {
                    int id = (int) ((small >>> 8) & 0x7F) - 1;
                    yield id < 0 ? null : StateNames.name(id);
                }
                case SPORT -> port(small >>> 15);
                case DPORT -> port(small >>> 32);
                case ZONE -> (int) ((second >>> 41) & 0xFFFF);
                case MARK -> {
                    long value1 = (second & 0x1_FFFF_FFFFL) - 1;
                    yield value1 < 0 ? null : value1;
                }
                case SRC -> IpAddress.format(family, keys[offset + srcWord], keys[offset + srcWord + 1]);
                case DST -> IpAddress.format(family, keys[offset + dstWord], keys[offset + dstWord + 1]);
            };
            key.put(dimension.field(), value);
        }
        return key;
    }

    private static Integer port(long bits) {
        int value = (int) (bits & 0x1FFFF) - 1;
        return value < 0 ? null : value;
    }
}
