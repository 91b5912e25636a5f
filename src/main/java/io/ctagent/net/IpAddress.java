package io.ctagent.net;

import java.nio.charset.StandardCharsets;

import io.ctagent.problem.InvalidInput;

/**
 * An IPv4 or IPv6 address as numbers: hi and lo hold the 128 bits of an IPv6 address, lo the 32 bits of
 * an IPv4 one. Parsed by {@link AddressParser}, never by a resolver, so a name is an error, not a lookup.
 */
public record IpAddress(Family family, long hi, long lo) {

    public static IpAddress parse(String field, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (text.indexOf(':') < 0) {
            long v4 = AddressParser.ipv4(bytes, 0, bytes.length);
            if (v4 >= 0) {
                return new IpAddress(Family.IPV4, 0, v4);
            }
        } else {
            long[] out = new long[2];
            if (AddressParser.ipv6(bytes, 0, bytes.length, out)) {
                return new IpAddress(Family.IPV6, out[0], out[1]);
            }
        }
        throw new InvalidInput(field, field + " must be an IPv4 or IPv6 address or CIDR (like 10.0.0.0/8 or "
                + "2001:db8::/32), not '" + text + "'");
    }

    public static int bits(Family family) {
        return family == Family.IPV4 ? 32 : 128;
    }

    @Override
    public String toString() {
        return format(family, hi, lo);
    }

    /** The canonical text: dotted quad, or RFC 5952 (lower case, longest zero run as ::). */
    public static String format(Family family, long hi, long lo) {
        return format(family, hi, lo, true);
    }

    /** As {@link #format(Family, long, long)}; mappedAsDotted false prints ::ffff:a01:203, all hex. */
    static String format(Family family, long hi, long lo, boolean mappedAsDotted) {
        if (family == Family.IPV4) {
            return ipv4(lo);
        }
        int[] groups = new int[8];
        for (int g = 0; g < 4; g++) {
            groups[g] = (int) (hi >>> (48 - 16 * g)) & 0xFFFF;
            groups[g + 4] = (int) (lo >>> (48 - 16 * g)) & 0xFFFF;
        }
        if (mappedAsDotted && hi == 0 && (lo >>> 32) == 0xFFFFL) {
            return "::ffff:" + ipv4(lo & 0xFFFF_FFFFL);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int g = 0; g < 8; ) {
            if (groups[g] != 0) {
                g++;
                continue;
            }
            int start = g;
            while (g < 8 && groups[g] == 0) {
                g++;
            }
            if (g - start > bestLength) {
                bestStart = start;
                bestLength = g - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                text.append("::");
                g += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[g]));
        }
        return text.toString();
    }

    private static String ipv4(long value) {
        return ((value >>> 24) & 0xFF) + "." + ((value >>> 16) & 0xFF) + "." + ((value >>> 8) & 0xFF) + "."
                + (value & 0xFF);
    }
}
