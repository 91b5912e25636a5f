package io.ctagent.entries;

import io.ctagent.problem.InvalidInput;

/** Strict number parsing for client input: plain decimal digits, no sign, spaces or leading zeros. */
final class Numbers {

    private Numbers() {
    }

    /** The value of a plain decimal number up to max, or -1 when it is anything else. */
    static long decimal(String text, long max) {
        int length = text.length();
        if (length == 0 || length > 19 || (length > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= max ? value : -1;
    }

    /** A decimal number in [min, max], else a 400 naming the field. */
    static int parse(String field, String text, int min, int max) {
        long value = decimal(text, max);
        if (value < min) {
            throw new InvalidInput(field, field + " must be a whole number from " + min + " to " + max
                    + ", not '" + text + "'");
        }
        return (int) value;
    }

    /** A 32-bit value written in decimal or as 0x-prefixed hex, or -1. */
    static long unsigned32(String text) {
        if (text.startsWith("0x") || text.startsWith("0X")) {
            String hex = text.substring(2);
            if (hex.isEmpty() || hex.length() > 8) {
                return -1;
            }
            long value = 0;
            for (int i = 0; i < hex.length(); i++) {
                int digit = Character.digit(hex.charAt(i), 16);
                if (digit < 0) {
                    return -1;
                }
                value = value * 16 + digit;
            }
            return value;
        }
        return decimal(text, 0xFFFF_FFFFL);
    }
}
