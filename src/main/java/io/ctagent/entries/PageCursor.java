package io.ctagent.entries;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;

import io.ctagent.problem.InvalidInput;

/**
 * Where the next page starts. The kernel's table has no stable order or key, so a cursor is the number
 * of matching entries already returned, tied to the filter and namespace it was made for, plus a
 * fingerprint of the last entry returned: when that entry is no longer at its place, the table changed
 * between pages and the answer says so instead of silently skipping or repeating entries.
 */
record PageCursor(long offset, long scope, long lastEntry) {

    private static final String VERSION = "c1";

    static PageCursor first(long scope) {
        return new PageCursor(0, scope, 0);
    }

    /** Decodes a cursor from a previous page; it must belong to the same filter and namespace. */
    static PageCursor parse(String text, long scope) {
        String[] parts;
        try {
            parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII).split("\\.", -1);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (parts.length != 4 || !parts[0].equals(VERSION)) {
            throw invalid();
        }
        PageCursor cursor;
        try {
            cursor = new PageCursor(Long.parseLong(parts[1]), Long.parseUnsignedLong(parts[2], 16),
                    Long.parseUnsignedLong(parts[3], 16));
        } catch (NumberFormatException e) {
            throw invalid();
        }
        if (cursor.offset < 1) {
            throw invalid();
        }
        if (cursor.scope != scope) {
            throw new InvalidInput("cursor", "this cursor belongs to another filter or namespace; repeat the "
                    + "request that returned it, with the same filter and netns");
        }
        return cursor;
    }

    String encode() {
        String text = VERSION + "." + offset + "." + Long.toHexString(scope) + "." + Long.toHexString(lastEntry);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** A fingerprint of what a cursor is valid for: the canonical filter and the namespace. */
    static long scopeOf(EntryFilter filter, String netns) {
        CRC32 crc = new CRC32();
        crc.update((filter.describe() + "|" + netns).getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    /** A fingerprint of an entry's identity: its original tuple. */
    static long fingerprint(EntryLine e) {
        e.complete();
        long hash = e.family.ordinal() * 31L + e.protocol;
        long[] parts = {e.original.srcHi, e.original.srcLo, e.original.dstHi, e.original.dstLo, e.original.sport,
                e.original.dport, e.original.icmpId, e.zone};
        for (long part : parts) {
            hash = (hash ^ part) * 0x9E3779B97F4A7C15L;
            hash ^= hash >>> 29;
        }
        return hash;
    }

    private static InvalidInput invalid() {
        return new InvalidInput("cursor", "cursor is not one this agent returned; use nextCursor from the "
                + "previous page as it is");
    }
}
