package io.ctagent.entries;

import io.ctagent.problem.InvalidInput;

/** A connection-mark match as `conntrack -m value[/mask]` means it: (mark & mask) == value. */
public record MarkMatch(long value, long mask) {

    static final long ALL_BITS = 0xFFFF_FFFFL;

    /** "42", "0x2a" or "0x2a/0xff": 32-bit values in decimal or hex. */
    static MarkMatch parse(String field, String text) {
        int slash = text.indexOf('/');
        long value = Numbers.unsigned32(slash < 0 ? text : text.substring(0, slash));
        long mask = slash < 0 ? ALL_BITS : Numbers.unsigned32(text.substring(slash + 1));
        if (value < 0 || mask < 0) {
            throw new InvalidInput(field, field + " must be a 32-bit value with an optional /mask, in decimal "
                    + "or 0x hex (like 42 or 0x2a/0xff), not '" + text + "'");
        }
        if ((value & ~mask) != 0) {
            throw new InvalidInput(field, field + " '" + text + "' can never match: the value has bits "
                    + "outside the mask");
        }
        return new MarkMatch(value, mask);
    }

    boolean matches(long mark) {
        return mark >= 0 && (mark & mask) == value;
    }

    @Override
    public String toString() {
        return mask == ALL_BITS ? Long.toString(value) : value + "/0x" + Long.toHexString(mask);
    }
}
