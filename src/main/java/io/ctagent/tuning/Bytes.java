package io.ctagent.tuning;

/** Byte counts for reasons an operator reads. */
final class Bytes {

    private Bytes() {
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format("%.1f GiB", (double) bytes / (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format("%.1f MiB", (double) bytes / (1L << 20));
        }
        if (bytes >= 1L << 10) {
            return String.format("%.1f KiB", (double) bytes / (1L << 10));
        }
        return bytes + " bytes";
    }
}
