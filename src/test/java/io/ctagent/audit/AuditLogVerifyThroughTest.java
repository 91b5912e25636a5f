package io.ctagent.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.node.ObjectNode;

/** Whether one record can be trusted: the chain from its start through it, and the link that vouches for it. */
class AuditLogVerifyThroughTest {

    @TempDir
    Path dir;

    AuditFile file;
    AuditLog audit;
    List<String> ids = new ArrayList<>();

    @BeforeEach
    void fiveRecords() {
        file = new AuditFile(dir.resolve("audit.jsonl"), 50_000_000, 10);
        audit = new AuditLog(file, () -> "DIRECT", Clock.systemUTC());
        for (int i = 0; i < 5; i++) {
            ids.add(audit.intent("sysctl.set", "k" + i, Map.of("value", 1000 + i), null).id());
        }
    }

    @AfterEach
    void close() {
        file.close();
    }

    AuditRecord read(int index) {
        return audit.find(ids.get(index)).orElseThrow();
    }

    void edit(int index, String from, String to) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("audit.jsonl"));
        lines.set(index, lines.get(index).replace(from, to));
        Files.write(dir.resolve("audit.jsonl"), lines);
    }

    /** Edits a line and recomputes its hash, as someone who knows the format would. */
    void reseal(int index, String field, String value) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("audit.jsonl"));
        ObjectNode forged = (ObjectNode) AuditChain.JSON.readTree(lines.get(index));
        forged.put(field, value);
        forged.put("hash", AuditChain.hash(forged));
        lines.set(index, AuditChain.JSON.writeValueAsString(forged));
        Files.write(dir.resolve("audit.jsonl"), lines);
    }

    @Test
    void anIntactChainVouchesForEveryRecord() {
        for (int i = 0; i < ids.size(); i++) {
            assertThat(audit.verifyThrough(read(i)).ok()).as("record " + i).isTrue();
        }
    }

    @Test
    void anEditedRecordOrOneBeforeItIsNamed() throws IOException {
        edit(1, "1001", "9001");

        VerifyReport atIt = audit.verifyThrough(read(1));
        assertThat(atIt.ok()).isFalse();
        assertThat(atIt.firstBroken().id()).isEqualTo(ids.get(1));
        assertThat(atIt.firstBroken().line()).isEqualTo(2);
        assertThat(atIt.firstBroken().reason()).contains("edited");
        assertThat(audit.verifyThrough(read(3)).firstBroken().id()).isEqualTo(ids.get(1));
        // The record before it is vouched for by the edited one, whose prevHash can no longer be trusted.
        assertThat(audit.verifyThrough(read(0)).firstBroken().id()).isEqualTo(ids.get(1));
    }

    @Test
    void aResealedRecordIsCaughtByTheLinkAfterItAsVerifyNamesIt() throws IOException {
        reseal(2, "actor", "key:someone-else");

        VerifyReport report = audit.verifyThrough(read(2));
        assertThat(report.ok()).isFalse();
        assertThat(report.firstBroken().id()).isEqualTo(ids.get(3));
        assertThat(report.firstBroken().reason()).contains("prevHash");
        try (AuditSnapshot snapshot = file.snapshot()) {
            assertThat(ChainVerifier.verify(snapshot).firstBroken()).isEqualTo(report.firstBroken());
        }
    }

    @Test
    void theNewestRecordIsVouchedForByTheLastHashTheAgentWrote() throws IOException {
        reseal(4, "actor", "key:someone-else");

        VerifyReport report = audit.verifyThrough(read(4));
        assertThat(report.ok()).isFalse();
        assertThat(report.firstBroken().reason()).contains("not the last one the agent wrote");
    }

    @Test
    void aBreakAfterTheRecordAndItsSuccessorDoesNotTouchIt() throws IOException {
        edit(4, "1004", "9004");

        assertThat(audit.verifyThrough(read(2)).ok()).isTrue();
        assertThat(audit.verifyThrough(read(4)).ok()).isFalse();
    }
}
