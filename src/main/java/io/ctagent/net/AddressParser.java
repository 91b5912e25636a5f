package io.ctagent.net;

/**
 * Parses IPv4 and IPv6 addresses in place from bytes, without allocating: the table prints one or
 * four per line. Strict: dotted quads without leading zeros, IPv6 in full (procfs) or compressed
 * (conntrack) form, with an optional trailing dotted quad; no zone ids, no brackets, no names.
 * An IPv6 address lands in two longs, hi and lo; an IPv4 one in the low 32 bits of a long.
 */
public final class AddressParser {

    private AddressParser() {
    }

    /** The IPv4 address in bytes [start, end) as an unsigned 32-bit value, or -1. */
    public static long ipv4(byte[] text, int start, int end) {
        long value = 0;
        int octets = 0;
        int i = start;
        while (octets < 4) {
            int digitsStart = i;
            int octet = 0;
            while (i < end && text[i] >= '0' && text[i] <= '9' && i - digitsStart < 3) {
                octet = octet * 10 + (text[i] - '0');
                i++;
            }
            int digits = i - digitsStart;
            if (digits == 0 || octet > 255 || (digits > 1 && text[digitsStart] == '0')) {
                return -1;
            }
            value = (value << 8) | octet;
            octets++;
            if (octets < 4) {
                if (i >= end || text[i] != '.') {
                    return -1;
                }
                i++;
            }
        }
        return i == end ? value : -1;
    }

    /** Parses the IPv6 address in bytes [start, end) into out[0] (hi) and out[1] (lo); false if malformed. */
    public static boolean ipv6(byte[] text, int start, int end, long[] out) {
        int[] groups = new int[8];
        return ipv6(text, start, end, out, groups);
    }

    /** As {@link #ipv6(byte[], int, int, long[])} with a caller's scratch array of 8 ints. */
    public static boolean ipv6(byte[] text, int start, int end, long[] out, int[] groups) {
        int count = 0;
        int gap = -1;
        int i = start;
        if (end - start >= 2 && text[i] == ':' && text[i + 1] == ':') {
            gap = 0;
            i += 2;
        } else if (i < end && text[i] == ':') {
            return false;
        }
        while (i < end) {
            if (count == 8) {
                return false;
            }
            int groupStart = i;
            int value = 0;
            while (i < end && i - groupStart < 5) {
                int digit = hex(text[i]);
                if (digit < 0) {
                    break;
                }
                value = (value << 4) | digit;
                i++;
            }
            int digits = i - groupStart;
            if (i < end && text[i] == '.') {
                // A trailing dotted quad fills the last two groups.
                long v4 = ipv4(text, groupStart, end);
                if (v4 < 0 || count > 6) {
                    return false;
                }
                groups[count++] = (int) (v4 >>> 16);
                groups[count++] = (int) (v4 & 0xFFFF);
                i = end;
                break;
            }
            if (digits == 0 || digits > 4) {
                return false;
            }
            groups[count++] = value;
            if (i == end) {
                break;
            }
            if (text[i] != ':') {
                return false;
            }
            i++;
            if (i < end && text[i] == ':') {
                if (gap >= 0) {
                    return false;
                }
                gap = count;
                i++;
            } else if (i == end) {
                return false;
            }
        }
        if (gap < 0 ? count != 8 : count > 7) {
            return false;
        }
        long hi = 0;
        long lo = 0;
        int zeros = 8 - count;
        int group = 0;
        for (int g = 0; g < 8; g++) {
            int value;
            if (gap >= 0 && g >= gap && g < gap + zeros) {
                value = 0;
            } else {
                value = groups[group++];
            }
            if (g < 4) {
                hi = (hi << 16) | value;
            } else {
                lo = (lo << 16) | value;
            }
        }
        out[0] = hi;
        out[1] = lo;
        return true;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
