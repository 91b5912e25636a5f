package io.ctagent.entries;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream on a second thread into a small ring of fixed buffers while the caller consumes the
 * previous ones. Reading /proc/net/nf_conntrack, the read(2) calls are where the kernel formats the
 * table (~85% of a pass); this lets the agent parse one chunk on the other core while the kernel
 * formats the next. Memory is the ring, whatever the size of the stream.
 *
 * <p>The bytes come out in order; a failure of the source reaches the caller after the bytes read
 * before it. {@link #close()} stops the reader thread and waits for it, so no thread outlives the
 * stream; the source itself stays open: it belongs to whoever opened it. A read in progress ends at
 * once when the source is a channel's stream (an interrupt closes it); other reads are waited out,
 * which for /proc is a moment and for a pipe is bounded by its command's timeout.
 */
final class ReadAheadInputStream extends InputStream {

    /** A buffer of the ring: the bytes read into it, and whether the source ended (or failed) after them. */
    private static final class Chunk {
        final byte[] data;
        int length;
        boolean last;
        Throwable failure;

        Chunk(int size) {
            data = new byte[size];
        }
    }

    private final BlockingQueue<Chunk> free;
    private final BlockingQueue<Chunk> filled;
    private final Thread reader;
    private volatile boolean closed;
    private Chunk current;
    private int position;

    ReadAheadInputStream(InputStream source, int chunkSize, int chunks) {
        free = new ArrayBlockingQueue<>(chunks);
        filled = new ArrayBlockingQueue<>(chunks);
        for (int i = 0; i < chunks; i++) {
            free.add(new Chunk(chunkSize));
        }
        reader = new Thread(() -> fill(source), "conntrack-table-read-ahead");
        reader.setDaemon(true);
        reader.start();
    }

    private void fill(InputStream source) {
        try {
            Chunk chunk;
            do {
                chunk = free.take();
                readInto(source, chunk);
                filled.put(chunk);
            } while (!chunk.last);
        } catch (InterruptedException e) {
            // close(): nobody wants the rest.
        }
    }

    /** Fills the chunk unless the source ends first: one read(2) per chunk from /proc, a few from a pipe. */
    private void readInto(InputStream source, Chunk chunk) {
        chunk.length = 0;
        chunk.failure = null;
        try {
            while (chunk.length < chunk.data.length && !closed) {
                int n = source.read(chunk.data, chunk.length, chunk.data.length - chunk.length);
                if (n < 0) {
                    break;
                }
                chunk.length += n;
            }
        } catch (Throwable failure) {
            // Whatever it is, the caller must hear of it instead of waiting for a chunk that never comes.
            chunk.failure = failure;
        }
        chunk.last = chunk.failure != null || chunk.length < chunk.data.length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("read-ahead stream closed");
        }
        if (length == 0) {
            return 0;
        }
        while (current == null || position == current.length) {
            if (current != null) {
                if (current.last) {
                    return end(current.failure);
                }
                free.add(current);
            }
            current = next();
            position = 0;
        }
        int n = Math.min(length, current.length - position);
        System.arraycopy(current.data, position, target, offset, n);
        position += n;
        return n;
    }

    private Chunk next() throws IOException {
        try {
            return filled.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the table");
        }
    }

    /** The end of the stream, or the failure that ended it, as the source threw it. */
    private static int end(Throwable failure) throws IOException {
        if (failure == null) {
            return -1;
        }
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        throw (Error) failure;
    }

    /** Stops the reader and waits until it has left the source, which the caller may then close. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reader.interrupt();
        boolean interrupted = false;
        while (reader.isAlive()) {
            try {
                reader.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
