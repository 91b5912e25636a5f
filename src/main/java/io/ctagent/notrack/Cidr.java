package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.List;

/**
 * A network in CIDR notation, parsed by hand (no InetAddress: it would resolve host names)
 * and strictly: dotted quads without leading zeros, IPv6 without zone ids, a prefix within the
 * family's length and no host bits set. A bare address means a single host (/32 or /128).
 *
 * @param network the canonical text of the network address (lower-case, RFC 5952 for IPv6)
 * @param prefix the prefix length
 * @param family IPV4 or IPV6
 */
record Cidr(String network, int prefix, IpFamily family) {

    /** Parses {@code text}, or explains in an operator's words why it is not a network. */
    static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        int[] bytes = address.contains(":") ? ipv6(address) : ipv4(address);
        IpFamily family = bytes.length == 4 ? IpFamily.IPV4 : IpFamily.IPV6;
        int bits = bytes.length * 8;
        int prefix = slash < 0 ? bits : prefix(text.substring(slash + 1), bits);
        if (prefix == 0) {
            throw new IllegalArgumentException("a /0 network matches every address; leave the field out instead");
        }
        int[] network = mask(bytes, prefix);
        String canonical = family == IpFamily.IPV4 ? formatIpv4(network) : formatIpv6(network);
        if (!java.util.Arrays.equals(network, bytes)) {
            throw new IllegalArgumentException("'" + text + "' has host bits set; did you mean " + canonical + "/"
                    + prefix + "?");
        }
        return new Cidr(canonical, prefix, family);
    }

    /** The addresses this network holds, as numbers: [first, end), for set arithmetic. */
    java.math.BigInteger first() {
        java.math.BigInteger value = java.math.BigInteger.ZERO;
        for (int b : family == IpFamily.IPV4 ? ipv4(network) : ipv6(network)) {
            value = value.shiftLeft(8).or(java.math.BigInteger.valueOf(b));
        }
        return value;
    }

    java.math.BigInteger end() {
        return first().add(java.math.BigInteger.ONE.shiftLeft(bits(family) - prefix));
    }

    static int bits(IpFamily family) {
        return family == IpFamily.IPV4 ? 32 : 128;
    }

    /** 10.0.0.0/8 or 2001:db8::/32. */
    @Override
    public String toString() {
        return network + "/" + prefix;
    }

    private static int prefix(String text, int bits) {
        if (!text.matches("0|[1-9][0-9]{0,2}")) {
            throw new IllegalArgumentException("the prefix length '" + text + "' is not a number from 1 to " + bits);
        }
        int prefix = Integer.parseInt(text);
        if (prefix > bits) {
            throw new IllegalArgumentException("the prefix length " + prefix + " is longer than " + bits);
        }
        return prefix;
    }

    private static int[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is neither a dotted IPv4 address nor an IPv6 address");
        }
        int[] bytes = new int[4];
        for (int i = 0; i < 4; i++) {
            // Leading zeros are refused: some tools read 010 as octal 8.
            if (!parts[i].matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(parts[i]) > 255) {
                throw new IllegalArgumentException("'" + text + "' is not a dotted IPv4 address (0-255, no leading "
                        + "zeros)");
            }
            bytes[i] = Integer.parseInt(parts[i]);
        }
        return bytes;
    }

    private static int[] ipv6(String text) {
        if (!text.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv6 address (hex groups and ':', "
                    + "no zone id)");
        }
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
            throw new IllegalArgumentException("'" + text + "' has '::' more than once");
        }
        List<Integer> head = groups(doubleColon < 0 ? text : text.substring(0, doubleColon), text);
        List<Integer> tail = doubleColon < 0 ? List.of() : groups(text.substring(doubleColon + 2), text);
        int given = head.size() + tail.size();
        if (doubleColon < 0 ? given != 8 : given > 7) {
            throw new IllegalArgumentException("'" + text + "' does not have eight 16-bit groups");
        }
        int[] bytes = new int[16];
        for (int i = 0; i < head.size(); i++) {
            put(bytes, i, head.get(i));
        }
        for (int i = 0; i < tail.size(); i++) {
            put(bytes, 8 - tail.size() + i, tail.get(i));
        }
        return bytes;
    }

    /** Colon-separated hex groups; the last may be a dotted IPv4 address (two groups). */
    private static List<Integer> groups(String part, String whole) {
        List<Integer> groups = new ArrayList<>();
        if (part.isEmpty()) {
            return groups;
        }
        String[] fields = part.split(":", -1);
        for (int i = 0; i < fields.length; i++) {
            String field = fields[i];
            if (i == fields.length - 1 && field.contains(".")) {
                int[] v4 = ipv4(field);
                groups.add(v4[0] << 8 | v4[1]);
                groups.add(v4[2] << 8 | v4[3]);
            } else if (field.matches("[0-9A-Fa-f]{1,4}")) {
                groups.add(Integer.parseInt(field, 16));
            } else {
                throw new IllegalArgumentException("'" + whole + "' has an empty or overlong group");
            }
        }
        return groups;
    }

    private static void put(int[] bytes, int group, int value) {
        bytes[2 * group] = value >> 8;
        bytes[2 * group + 1] = value & 0xff;
    }

    private static int[] mask(int[] bytes, int prefix) {
        int[] network = bytes.clone();
        for (int i = 0; i < network.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            network[i] &= (0xff << (8 - keep)) & 0xff;
        }
        return network;
    }

    private static String formatIpv4(int[] bytes) {
        return bytes[0] + "." + bytes[1] + "." + bytes[2] + "." + bytes[3];
    }

    /** RFC 5952: lower case, no leading zeros, the longest run (2+) of zero groups as '::'. */
    private static String formatIpv6(int[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = bytes[2 * i] << 8 | bytes[2 * i + 1];
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
