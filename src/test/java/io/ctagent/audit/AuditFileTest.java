package io.ctagent.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

class AuditFileTest {

    @TempDir
    Path dir;

    AuditFile file;

    @AfterEach
    void close() {
        if (file != null) {
            file.close();
        }
    }

    AuditFile open(long maxSize, int maxFiles) {
        file = new AuditFile(dir.resolve("audit.jsonl"), maxSize, maxFiles);
        return file;
    }

    static AuditRecord record(String action) {
        return new AuditRecord(UUID.randomUUID().toString(), "2025-01-31T13:00:00Z", AuditRecord.INTENT, null,
                "key:ops", List.of("operator"), "127.0.0.1", "req-1", action, "net.netfilter.nf_conntrack_max",
                AuditChain.JSON.valueToTree(Map.of("value", 262144, "ratio", 0.75)), null, null, null, null,
                List.of(), "DIRECT", null, null);
    }

    VerifyReport verify() {
        try (AuditSnapshot snapshot = file.snapshot()) {
            return ChainVerifier.verify(snapshot);
        }
    }

    List<String> lines() throws IOException {
        return Files.readAllLines(dir.resolve("audit.jsonl"));
    }

    void rewrite(List<String> lines) throws IOException {
        Files.write(dir.resolve("audit.jsonl"), lines);
    }

    static String id(String line) {
        return AuditChain.JSON.readTree(line).get("id").stringValue();
    }

    @Test
    void twoHundredConcurrentWritesMakeTwoHundredRecordsInOneVerifiableChain() throws Exception {
        open(50_000_000, 10);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> writes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String action = "test.write-" + i;
            writes.add(pool.submit(() -> {
                start.await();
                file.append(record(action));
                return null;
            }));
        }
        start.countDown();
        for (Future<?> write : writes) {
            write.get();
        }
        pool.shutdown();

        List<String> lines = lines();
        assertThat(lines).hasSize(200);
        Set<String> actions = new HashSet<>();
        for (String line : lines) {
            JsonNode node = AuditChain.JSON.readTree(line);
            assertThat(node.get("hash").stringValue()).hasSize(64);
            assertThat(node.get("prevHash").stringValue()).hasSize(64);
            actions.add(node.get("action").stringValue());
        }
        assertThat(actions).hasSize(200);
        assertThat(verify()).isEqualTo(new VerifyReport(true, 200, 1, null));
    }

    @Test
    void everyRecordHasEveryFieldAndTheFirstStartsTheChain() throws IOException {
        open(50_000_000, 10).append(record("sysctl.set"));
        JsonNode first = AuditChain.JSON.readTree(lines().get(0));
        assertThat(first.propertyNames()).containsExactly("id", "time", "phase", "intentId", "actor", "roles",
                "sourceIp", "requestId", "action", "target", "params", "before", "after", "result", "reason",
                "commands", "mode", "prevHash", "hash");
        assertThat(first.get("prevHash").stringValue()).isEqualTo(AuditChain.GENESIS);
    }

    @Test
    void anEditedLineIsNamed() throws IOException {
        open(50_000_000, 10);
        for (int i = 0; i < 5; i++) {
            file.append(record("a" + i));
        }
        List<String> lines = lines();
        lines.set(2, lines.get(2).replace("262144", "999999"));
        rewrite(lines);

        VerifyReport report = verify();
        assertThat(report.ok()).isFalse();
        assertThat(report.firstBroken().id()).isEqualTo(id(lines.get(2)));
        assertThat(report.firstBroken().line()).isEqualTo(3);
        assertThat(report.firstBroken().reason()).contains("edited");
        assertThat(report.records()).isEqualTo(2);
    }

    @Test
    void anEditWithARecomputedHashIsCaughtByTheNextRecord() throws IOException {
        open(50_000_000, 10);
        for (int i = 0; i < 4; i++) {
            file.append(record("a" + i));
        }
        List<String> lines = lines();
        tools.jackson.databind.node.ObjectNode forged =
                (tools.jackson.databind.node.ObjectNode) AuditChain.JSON.readTree(lines.get(1));
        forged.put("actor", "key:someone-else");
        forged.put("hash", AuditChain.hash(forged));
        lines.set(1, AuditChain.JSON.writeValueAsString(forged));
        rewrite(lines);

        VerifyReport report = verify();
        assertThat(report.firstBroken().id()).isEqualTo(id(lines.get(2)));
        assertThat(report.firstBroken().reason()).contains("prevHash");
    }

    @Test
    void aDeletedLineIsNamedByTheRecordAfterIt() throws IOException {
        open(50_000_000, 10);
        for (int i = 0; i < 5; i++) {
            file.append(record("a" + i));
        }
        List<String> lines = new ArrayList<>(lines());
        lines.remove(2);
        rewrite(lines);

        VerifyReport report = verify();
        assertThat(report.firstBroken().id()).isEqualTo(id(lines.get(2)));
        assertThat(report.firstBroken().line()).isEqualTo(3);
        assertThat(report.firstBroken().reason()).contains("removed");
    }

    @Test
    void aDeletedFirstLineIsNamed() throws IOException {
        open(50_000_000, 10);
        for (int i = 0; i < 3; i++) {
            file.append(record("a" + i));
        }
        List<String> lines = new ArrayList<>(lines());
        lines.remove(0);
        rewrite(lines);

        VerifyReport report = verify();
        assertThat(report.firstBroken().id()).isEqualTo(id(lines.get(0)));
        assertThat(report.firstBroken().reason()).contains("first record");
    }

    @Test
    void aDeletedLastLineIsNoticedWhileTheAgentRuns() throws IOException {
        open(50_000_000, 10);
        for (int i = 0; i < 3; i++) {
            file.append(record("a" + i));
        }
        List<String> lines = new ArrayList<>(lines());
        lines.remove(2);
        rewrite(lines);

        VerifyReport report = verify();
        assertThat(report.ok()).isFalse();
        assertThat(report.firstBroken().reason()).contains("removed from the end");
    }

    @Test
    void reorderedLinesAreNamed() throws IOException {
        open(50_000_000, 10);
        for (int i = 0; i < 5; i++) {
            file.append(record("a" + i));
        }
        List<String> lines = new ArrayList<>(lines());
        Collections.swap(lines, 1, 3);
        rewrite(lines);

        VerifyReport report = verify();
        assertThat(report.firstBroken().id()).isEqualTo(id(lines.get(1)));
        assertThat(report.firstBroken().line()).isEqualTo(2);
    }

    @Test
    void rotationKeepsTheChainVerifiableAcrossFiles() throws IOException {
        open(2_000, 50);
        for (int i = 0; i < 30; i++) {
            file.append(record("a" + i));
        }
        assertThat(Files.exists(dir.resolve("audit.jsonl.1"))).isTrue();
        assertThat(Files.size(dir.resolve("audit.jsonl"))).isLessThanOrEqualTo(2_000);
        VerifyReport report = verify();
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.records()).isEqualTo(30);
        assertThat(report.files()).isGreaterThan(2);

        // The first record of a new file carries the hash of the last record of the previous one.
        String lastOfPrevious = lastLine(dir.resolve("audit.jsonl.1"));
        String firstOfCurrent = Files.readAllLines(dir.resolve("audit.jsonl")).get(0);
        assertThat(AuditChain.JSON.readTree(firstOfCurrent).get("prevHash").stringValue())
                .isEqualTo(AuditChain.JSON.readTree(lastOfPrevious).get("hash").stringValue());
    }

    @Test
    void changeHistoryIsNeverRotatedAwayWhenEveryFileIsFullTheAppendIsRefused() throws IOException {
        open(1_000, 3);
        List<String> written = new ArrayList<>();
        assertThatThrownBy(() -> {
            for (int i = 0; i < 40; i++) {
                AuditRecord record = record("a" + i);
                file.append(record);
                written.add(record.id());
            }
        }).isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(AuditFile.Full.class)
                .hasMessageContaining("ctagent.audit.max-files");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("audit.jsonl", "audit.jsonl.1", "audit.jsonl.2");
        }
        List<String> kept = new ArrayList<>();
        for (String name : List.of("audit.jsonl.2", "audit.jsonl.1", "audit.jsonl")) {
            Files.readAllLines(dir.resolve(name)).forEach(line -> kept.add(id(line)));
        }
        assertThat(kept).as("every record written is still there").isEqualTo(written);
        assertThat(verify().ok()).isTrue();
    }

    @Test
    void aLogWithARemovalDeletesItsOldestFileAfterSayingWhatGoes() throws IOException {
        List<AuditFile.Removed> removed = new ArrayList<>();
        file = new AuditFile(dir.resolve("audit.jsonl"), 1_000, 3, (AuditFile.Removal) removed::add);
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            AuditRecord record = record("a" + i);
            file.append(record);
            written.add(record.id());
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("audit.jsonl", "audit.jsonl.1", "audit.jsonl.2");
        }
        long gone = removed.stream().mapToLong(AuditFile.Removed::records).sum();
        assertThat(removed.get(0).firstId()).isEqualTo(written.get(0));
        assertThat(removed.get(removed.size() - 1).lastId()).isEqualTo(written.get((int) gone - 1));
        assertThat(id(Files.readAllLines(dir.resolve("audit.jsonl.2")).get(0))).isEqualTo(written.get((int) gone));
        assertThat(verify().ok()).isTrue();
    }

    @Test
    void aRemovalThatFailsKeepsTheFileAndRefusesTheAppend() throws IOException {
        file = new AuditFile(dir.resolve("audit.jsonl"), 1_000, 2, (AuditFile.Removal) removed -> {
            throw new IOException("the change log is full");
        });
        assertThatThrownBy(() -> {
            for (int i = 0; i < 40; i++) {
                file.append(record("a" + i));
            }
        }).isInstanceOf(UncheckedIOException.class).hasMessageContaining("the change log is full");
        assertThat(dir.resolve("audit.jsonl.1")).exists();
        assertThat(verify().ok()).isTrue();
    }

    @Test
    void anEditInARotatedFileIsNamedWithItsFile() throws IOException {
        open(2_000, 50);
        for (int i = 0; i < 20; i++) {
            file.append(record("a" + i));
        }
        Path rotated = dir.resolve("audit.jsonl.1");
        List<String> lines = Files.readAllLines(rotated);
        lines.set(0, lines.get(0).replace("key:ops", "key:xyz"));
        Files.write(rotated, lines);

        VerifyReport report = verify();
        assertThat(report.firstBroken().file()).isEqualTo("audit.jsonl.1");
        assertThat(report.firstBroken().id()).isEqualTo(id(lines.get(0)));
    }

    @Test
    void aRestartChainsOnFromTheLastRecord() throws IOException {
        open(50_000_000, 10).append(record("before-restart"));
        file.close();
        open(50_000_000, 10).append(record("after-restart"));
        assertThat(verify()).isEqualTo(new VerifyReport(true, 2, 1, null));
    }

    @Test
    void aRestartAfterRotationChainsOnFromTheRotatedFile() throws IOException {
        open(50_000_000, 10).append(record("one"));
        file.close();
        Files.move(dir.resolve("audit.jsonl"), dir.resolve("audit.jsonl.1"));
        open(50_000_000, 10).append(record("two"));
        assertThat(verify()).isEqualTo(new VerifyReport(true, 2, 2, null));
    }

    @Test
    void aTornLastLineFromACrashIsRemovedAtStart() throws IOException {
        open(50_000_000, 10).append(record("whole"));
        file.close();
        Files.writeString(dir.resolve("audit.jsonl"), "{\"id\":\"torn", StandardOpenOption.APPEND);
        open(50_000_000, 10).append(record("next"));
        assertThat(lines()).hasSize(2);
        assertThat(verify().ok()).isTrue();
    }

    @Test
    void aFileMovedAwayWhileRunningIsReplacedNotWrittenIntoTheVoid() throws IOException {
        open(50_000_000, 10).append(record("one"));
        Files.move(dir.resolve("audit.jsonl"), dir.resolve("moved.jsonl"));
        file.append(record("two"));
        List<String> moved = Files.readAllLines(dir.resolve("moved.jsonl"));
        assertThat(lines()).singleElement().satisfies(line -> {
            assertThat(AuditChain.JSON.readTree(line).get("action").stringValue()).isEqualTo("two");
            // The chain goes on from the last record of the moved file.
            assertThat(AuditChain.JSON.readTree(line).get("prevHash").stringValue())
                    .isEqualTo(AuditChain.JSON.readTree(moved.get(0)).get("hash").stringValue());
        });
    }

    @Test
    void aDeletedDirectoryMakesAppendFail() throws IOException {
        open(50_000_000, 10).append(record("one"));
        Files.delete(dir.resolve("audit.jsonl"));
        Files.delete(dir);
        assertThatThrownBy(() -> file.append(record("two"))).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("directory does not exist");
    }

    @Test
    void aFullDiskMakesAppendFailAndTheChainDoesNotAdvance() throws IOException {
        Path path = dir.resolve("audit.jsonl");
        boolean[] full = {false};
        file = new AuditFile(path, 50_000_000, 10, target -> {
            if (!Files.exists(target)) {
                Files.createFile(target);
            }
            // /dev/full answers every write with ENOSPC, as a full disk does.
            return full[0] ? FileChannel.open(Path.of("/dev/full"), StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE);
        });
        file.append(record("fits"));
        full[0] = true;
        Files.move(path, dir.resolve("old.jsonl")); // forces a reopen through the opener
        assertThatThrownBy(() -> file.append(record("does-not-fit"))).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("No space left");
    }

    @Test
    void aMissingDirectoryFailsAtOpen() {
        assertThatThrownBy(() -> new AuditFile(dir.resolve("no/such/dir/audit.jsonl"), 1000, 2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ctagent.audit.path")
                .hasMessageContaining("directory does not exist");
    }

    @Test
    void aParentThatIsAFileFailsAtOpen() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        assertThatThrownBy(() -> new AuditFile(notADirectory.resolve("audit.jsonl"), 1000, 2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ctagent.audit.path");
    }

    static String lastLine(Path path) throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        return lines.get(lines.size() - 1);
    }
}
