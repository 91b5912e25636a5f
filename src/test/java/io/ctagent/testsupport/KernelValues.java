package io.ctagent.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a sysctl of the test's own namespace the way the kernel wants it read: one large read(2).
 * Files.readString probes a size-0 file with a 1-byte read and gets only the first digit
 * ("2" for 262144), which is exactly the value a restore in {@code finally} must not get wrong.
 */
public final class KernelValues {

    private KernelValues() {
    }

    /** The value of a sysctl such as net.netfilter.nf_conntrack_max, checked against sysctl(8). */
    public static long read(String key) {
        Path file = Path.of("/proc/sys", key.replace('.', '/'));
        long value;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[4096];
            int n = in.read(buffer, 0, buffer.length);
            value = Long.parseLong(new String(buffer, 0, Math.max(n, 0), StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long viaSysctl = Long.parseLong(LabNamespace.run("sysctl", "-n", key).strip());
        if (viaSysctl != value) {
            throw new IllegalStateException(key + ": read " + value + " but sysctl -n says " + viaSysctl);
        }
        return value;
    }
}
