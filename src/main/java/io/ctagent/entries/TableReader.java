package io.ctagent.entries;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Splits a table stream into lines in one reused buffer and hands each parsed line to a visitor:
 * memory stays the same whether the table holds ten entries or ten million.
 */
final class TableReader {

    private static final int BUFFER = 128 * 1024;
    /**
     * At most this much per read: FileInputStream (also behind a process's stdout) reads up to 8 KiB
     * through a stack buffer but mallocs one per call above that, which at 128 KiB is an mmap, page
     * faults and an munmap on every read. Reading through a pipe, small reads measured ~15% faster.
     */
    private static final int READ = 8 * 1024;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    /** Sees each entry in turn; returns false to stop reading. */
    @FunctionalInterface
    interface Visitor {
        boolean visit(EntryLine entry);
    }

    /**
     * What a read saw.
     *
     * @param entries lines that parsed as entries
     * @param skipped lines that did not (blank, truncated, another format)
     * @param stoppedEarly the visitor stopped before the end of the table
     */
    record Counts(long entries, long skipped, boolean stoppedEarly) {
    }

    private TableReader() {
    }

    static Counts read(InputStream in, Visitor visitor) throws IOException {
        return read(in, ParseScope.FULL, visitor);
    }

    /** Reads the table, parsing of each line only what the scope asks for. */
    static Counts read(InputStream in, ParseScope scope, Visitor visitor) throws IOException {
        EntryLineParser parser = new EntryLineParser();
        EntryLine entry = new EntryLine();
        byte[] buffer = new byte[BUFFER];
        int start = 0;
        int end = 0;
        int scan = 0;
        long entries = 0;
        long skipped = 0;
        boolean overlong = false;
        while (true) {
            int newline = indexOfNewline(buffer, scan, end);
            if (newline >= 0) {
                if (overlong) {
                    overlong = false;
                    skipped++;
                } else if (parser.parse(buffer, start, newline, entry, scope)) {
                    entries++;
                    if (!visitor.visit(entry)) {
                        return new Counts(entries, skipped, true);
                    }
                } else if (newline > start) {
                    skipped++;
                }
                start = newline + 1;
                scan = start;
                continue;
            }
            if (start > 0) {
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buffer.length) {
                // A line longer than the buffer is no conntrack entry: drop it up to its newline.
                overlong = true;
                end = 0;
            }
            scan = end;
            int n = in.read(buffer, end, Math.min(READ, buffer.length - end));
            if (n < 0) {
                break;
            }
            end += n;
        }
        if (end > start && !overlong) {
            if (parser.parse(buffer, start, end, entry, scope)) {
                entries++;
                if (!visitor.visit(entry)) {
                    return new Counts(entries, skipped, true);
                }
            } else {
                skipped++;
            }
        }
        return new Counts(entries, skipped, false);
    }

    /**
     * The first '\n' in [from, to), or -1. Tests eight bytes at a time (a word has a zero byte where
     * it equals the newline pattern): the scan runs over every byte of the table, so it is worth it.
     */
    static int indexOfNewline(byte[] buffer, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long word = (long) LONGS.get(buffer, i) ^ NEWLINES;
            long found = (word - LOW_BITS) & ~word & HIGH_BITS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
