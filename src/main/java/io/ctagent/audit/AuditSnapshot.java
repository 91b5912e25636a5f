package io.ctagent.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a reader of the audit sees: the files as they were when it asked, oldest first, each
 * read only up to its size then. Appends and rotations after that change nothing here (the
 * channels hold the files even if they are renamed). Close it when done.
 *
 * @param lastHash the hash of the last record the agent had written at that moment
 * @param maxFiles the configured number of files; fewer means rotation never deleted one
 */
record AuditSnapshot(List<Segment> segments, String lastHash, int maxFiles) implements AutoCloseable {

    @Override
    public void close() {
        segments.forEach(segment -> AuditFile.closeQuietly(segment.channel()));
    }

    /** One file of a snapshot, to be read only up to {@code size}. */
    record Segment(String name, FileChannel channel, long size) {

        /** The file as it was at the snapshot, line by line. */
        BufferedReader reader() {
            InputStream bounded = new InputStream() {
                private long position;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] into, int offset, int length) throws IOException {
                    if (position >= size) {
                        return -1;
                    }
                    int n = channel.read(ByteBuffer.wrap(into, offset, (int) Math.min(length, size - position)), position);
                    if (n > 0) {
                        position += n;
                    }
                    return n;
                }
            };
            return new BufferedReader(new InputStreamReader(bounded, StandardCharsets.UTF_8), 64 * 1024);
        }
    }
}
