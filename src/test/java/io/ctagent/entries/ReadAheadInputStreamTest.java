package io.ctagent.entries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ReadAheadInputStreamTest {

    private static final String READER = "conntrack-table-read-ahead";

    @Test
    void deliversEveryByteInOrderWhateverTheReadSizes() throws IOException {
        byte[] data = new byte[3_000_001];
        new Random(3).nextBytes(data);
        Random sizes = new Random(5);
        ByteArrayOutputStream seen = new ByteArrayOutputStream();

        try (InputStream in = new ReadAheadInputStream(trickle(new ByteArrayInputStream(data), 1000), 4096, 3)) {
            byte[] buffer = new byte[20_000];
            int n;
            while ((n = in.read(buffer, 0, 1 + sizes.nextInt(buffer.length))) >= 0) {
                seen.write(buffer, 0, n);
            }
            assertThat(in.read()).isEqualTo(-1);
        }

        assertThat(seen.toByteArray()).isEqualTo(data);
    }

    @Test
    void aSourceThatEndsOnAChunkBoundaryEndsOnce() throws IOException {
        byte[] data = new byte[4 * 1024];
        Arrays.fill(data, (byte) 'x');

        try (InputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), 1024, 2)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
            assertThat(in.read(new byte[10], 0, 10)).isEqualTo(-1);
        }
    }

    @Test
    void anEmptySourceIsAnEmptyStream() throws IOException {
        try (InputStream in = new ReadAheadInputStream(InputStream.nullInputStream(), 1024, 2)) {
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void theTableParsesTheSameThroughTheReadAhead() throws IOException {
        String table = TableReaderTest.table(20_000);
        List<String> direct = new ArrayList<>();
        List<String> ahead = new ArrayList<>();

        TableReader.read(stream(table), e -> direct.add(e.toEntry().original().dst()));
        try (InputStream in = new ReadAheadInputStream(stream(table), 4096, 4)) {
            TableReader.read(in, e -> ahead.add(e.toEntry().original().dst()));
        }

        assertThat(ahead).hasSize(20_000).isEqualTo(direct);
    }

    @Test
    void aFailureReachesTheCallerAfterTheBytesReadBeforeIt() throws IOException {
        byte[] good = "ipv4 2 udp 17 30 src=127.0.0.1".getBytes(StandardCharsets.US_ASCII);
        InputStream failing = new InputStream() {
            private int served;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (served == good.length) {
                    throw new IOException("table vanished");
                }
                int n = Math.min(len, Math.min(7, good.length - served));
                System.arraycopy(good, served, b, off, n);
                served += n;
                return n;
            }
        };

        try (InputStream in = new ReadAheadInputStream(failing, 1024, 2)) {
            assertThat(in.readNBytes(good.length)).isEqualTo(good);
            assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("table vanished");
            assertThatThrownBy(in::read).as("and again, never a silent end").hasMessage("table vanished");
        }
        assertThat(readerThreads()).isZero();
    }

    @Test
    void anUncheckedFailureReachesTheCallerToo() {
        InputStream failing = new InputStream() {
            @Override
            public int read() {
                throw new UncheckedIOException(new IOException("pipe burst"));
            }
        };

        assertThatThrownBy(() -> {
            try (InputStream in = new ReadAheadInputStream(failing, 1024, 2)) {
                in.readAllBytes();
            }
        }).isInstanceOf(UncheckedIOException.class).hasMessageContaining("pipe burst");
    }

    @Test
    void neverReadsMoreThanTheRingAhead() throws Exception {
        AtomicLong served = new AtomicLong();
        InputStream endless = counting(served);

        try (InputStream in = new ReadAheadInputStream(endless, 1024, 3)) {
            assertThat(in.readNBytes(100)).hasSize(100);
            Thread.sleep(200);

            // The chunk being read from and the two others: the reader waits for a free one.
            assertThat(served.get()).isEqualTo(3 * 1024);
        }
    }

    @Test
    void closingEarlyStopsTheReaderThreadButLeavesTheSourceToItsOwner() throws Exception {
        AtomicLong served = new AtomicLong();
        boolean[] closed = {false};
        InputStream endless = new FilterInputStream(counting(served)) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };

        InputStream in = new ReadAheadInputStream(endless, 1024, 4);
        assertThat(in.readNBytes(10_000)).hasSize(10_000);
        in.close();

        assertThat(readerThreads()).as("close() waits for the reader").isZero();
        long after = served.get();
        Thread.sleep(50);
        assertThat(served.get()).as("nothing is read after close()").isEqualTo(after);
        assertThat(closed[0]).as("the source is its opener's to close").isFalse();
        assertThatThrownBy(() -> in.read(new byte[1], 0, 1)).isInstanceOf(IOException.class);
    }

    @Test
    void aVisitorThatStopsTheTableReadLeavesNoThreadBehind() throws IOException {
        int[] seen = {0};

        try (InputStream in = new ReadAheadInputStream(stream(TableReaderTest.table(50_000)), 4096, 4)) {
            TableReader.Counts counts = TableReader.read(in, e -> ++seen[0] < 10);
            assertThat(counts.stoppedEarly()).isTrue();
        }

        assertThat(seen[0]).isEqualTo(10);
        assertThat(readerThreads()).isZero();
    }

    /** An endless source of 'x' that counts what it served. */
    private static InputStream counting(AtomicLong served) {
        return new InputStream() {
            @Override
            public int read() {
                served.incrementAndGet();
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                Arrays.fill(b, off, off + len, (byte) 'x');
                served.addAndGet(len);
                return len;
            }
        };
    }

    /** A source that hands out at most max bytes per read, like a pipe. */
    private static InputStream trickle(InputStream in, int max) {
        return new FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, max));
            }
        };
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static long readerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(READER)).count();
    }
}
