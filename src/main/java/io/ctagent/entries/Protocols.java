package io.ctagent.entries;

import java.util.Locale;
import java.util.Map;

import io.ctagent.problem.InvalidInput;

/** Layer-4 protocol numbers and the names the kernel and conntrack use for them. */
final class Protocols {

    static final int ICMP = 1;
    static final int TCP = 6;
    static final int UDP = 17;
    static final int DCCP = 33;
    static final int GRE = 47;
    static final int ICMPV6 = 58;
    static final int SCTP = 132;
    static final int UDPLITE = 136;

    private static final Map<String, Integer> BY_NAME = Map.of("tcp", TCP, "udp", UDP, "udplite", UDPLITE,
            "icmp", ICMP, "icmpv6", ICMPV6, "sctp", SCTP, "dccp", DCCP, "gre", GRE);
    private static final String[] NAMES = new String[256];

    static {
        BY_NAME.forEach((name, number) -> NAMES[number] = name);
    }

    private Protocols() {
    }

    /** The name conntrack knows the protocol by, or null for one it calls "unknown". */
    static String name(int number) {
        return number >= 0 && number < NAMES.length ? NAMES[number] : null;
    }

    /** The name when there is one, else the number: what an operator reads in a summary. */
    static String label(int number) {
        String name = name(number);
        return name != null ? name : Integer.toString(number);
    }

    /** Protocols whose tuples carry ports (sport=, dport=). */
    static boolean hasPorts(int number) {
        return number == TCP || number == UDP || number == UDPLITE || number == SCTP || number == DCCP;
    }

    /** A protocol name (tcp, udp, ...) or number 0-255. */
    static int parse(String field, String value) {
        Integer known = BY_NAME.get(value.toLowerCase(Locale.ROOT));
        if (known != null) {
            return known;
        }
        long number = Numbers.decimal(value, 255);
        if (number < 0) {
            throw new InvalidInput(field, field + " must be one of " + String.join(", ", new java.util.TreeSet<>(
                    BY_NAME.keySet())) + " or a protocol number 0-255, not '" + value + "'");
        }
        return (int) number;
    }
}
