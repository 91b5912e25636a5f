package io.ctagent.entries;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class TableReaderTest {

    static String line(int i) {
        return "ipv4     2 udp      17 599 src=127.0.0.1 dst=127." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "."
                + (i & 255) + " sport=40000 dport=9 [UNREPLIED] src=127.0.0.9 dst=127.0.0.1 sport=9 dport=40000 "
                + "mark=0 zone=0 use=2\n";
    }

    static String table(int entries) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < entries; i++) {
            text.append(line(i));
        }
        return text.toString();
    }

    @Test
    void readsEveryLineAcrossBufferBoundariesEvenInTinyReads() throws IOException {
        byte[] bytes = table(5000).getBytes(StandardCharsets.US_ASCII);
        // A stream that hands out 7 bytes at a time, like a slow pipe.
        InputStream trickle = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 7));
            }
        };
        List<String> dsts = new ArrayList<>();

        TableReader.Counts counts = TableReader.read(trickle, e -> dsts.add(e.toEntry().original().dst()));

        assertThat(counts.entries()).isEqualTo(5000);
        assertThat(dsts).hasSize(5000).startsWith("127.0.0.0", "127.0.0.1").endsWith("127.0.19.135");
    }

    @Test
    void theLastLineNeedsNoNewline() throws IOException {
        String text = line(1) + line(2).strip();

        TableReader.Counts counts = TableReader.read(stream(text), e -> true);

        assertThat(counts.entries()).isEqualTo(2);
        assertThat(counts.skipped()).isZero();
    }

    @Test
    void anOverlongLineIsSkippedAndReadingGoesOn() throws IOException {
        String text = line(1) + "x".repeat(300_000) + "\n" + line(2);

        TableReader.Counts counts = TableReader.read(stream(text), e -> true);

        assertThat(counts.entries()).isEqualTo(2);
        assertThat(counts.skipped()).isEqualTo(1);
    }

    @Test
    void theVisitorCanStopTheRead() throws IOException {
        int[] seen = {0};

        TableReader.Counts counts = TableReader.read(stream(table(100)), e -> ++seen[0] < 10);

        assertThat(seen[0]).isEqualTo(10);
        assertThat(counts.stoppedEarly()).isTrue();
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void findsTheFirstNewlineAtEveryOffsetAndLength() {
        for (int length = 0; length < 40; length++) {
            for (int at = -1; at < length; at++) {
                byte[] bytes = "x".repeat(length).getBytes(StandardCharsets.US_ASCII);
                // Bytes that differ from '\n' by one bit must not be mistaken for it.
                for (int i = 0; i < length; i++) {
                    bytes[i] = (byte) (i % 3 == 0 ? 0x0B : i % 3 == 1 ? 0x8A : 0x09);
                }
                if (at >= 0) {
                    bytes[at] = '\n';
                    if (at + 1 < length) {
                        bytes[at + 1] = '\n';
                    }
                }
                for (int from = 0; from <= length; from++) {
                    int expected = at >= from ? at : at + 1 >= from && at >= 0 && at + 1 < length ? at + 1 : -1;
                    assertThat(TableReader.indexOfNewline(bytes, from, length)).as("length %d newline %d from %d",
                            length, at, from).isEqualTo(expected);
                }
            }
        }
    }
}
