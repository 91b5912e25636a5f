package io.ctagent.hostagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

import org.junit.jupiter.api.Test;

class ReadAheadInputStreamTest {

    @Test
    void deliversEveryByteInOrderWhateverTheReadSizes() throws IOException {
        byte[] data = new byte[3_000_001];
        new Random(3).nextBytes(data);
        Random sizes = new Random(5);
        ByteArrayOutputStream seen = new ByteArrayOutputStream();

        try (InputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), 64 * 1024)) {
            byte[] buffer = new byte[100_000];
            int n;
            while ((n = in.read(buffer, 0, 1 + sizes.nextInt(buffer.length))) >= 0) {
                seen.write(buffer, 0, n);
            }
            assertThat(in.read()).isEqualTo(-1);
        }

        assertThat(seen.toByteArray()).isEqualTo(data);
    }

    @Test
    void aReadFailureReachesTheConsumer() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk on fire");
            }
        };

        assertThatThrownBy(() -> {
            try (InputStream in = new ReadAheadInputStream(failing, 1024)) {
                in.readAllBytes();
            }
        }).isInstanceOf(IOException.class).hasMessage("disk on fire");
    }

    @Test
    void closingEarlyStopsTheReaderAndClosesTheSource() throws Exception {
        boolean[] closed = {false};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                return len;
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };

        InputStream in = new ReadAheadInputStream(endless, 1024);
        assertThat(in.readNBytes(10_000)).hasSize(10_000);
        in.close();

        for (int i = 0; i < 100 && !closed[0]; i++) {
            Thread.sleep(20);
        }
        assertThat(closed[0]).isTrue();
    }
}
