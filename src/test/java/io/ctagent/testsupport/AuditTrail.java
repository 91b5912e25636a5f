package io.ctagent.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

import org.mockito.ArgumentMatchers;
import org.mockito.Mockito;
import org.springframework.test.context.DynamicPropertyRegistry;

import io.ctagent.audit.AuditLog;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A test's own audit log: a file in a fresh temp directory (never the host's, never another
 * test's), registered as ctagent.audit.path, and read back record by record.
 */
public final class AuditTrail {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path dir;
    private final Path file;

    private AuditTrail(Path dir) {
        this.dir = dir;
        this.file = dir.resolve("audit.jsonl");
    }

    public static AuditTrail inTempDir(String prefix) {
        try {
            return new AuditTrail(Files.createTempDirectory(prefix));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A trail in a directory the test owns (its file is audit.jsonl there). */
    public static AuditTrail at(Path dir) {
        return new AuditTrail(dir);
    }

    public void register(DynamicPropertyRegistry registry) {
        registry.add("ctagent.audit.path", file::toString);
    }

    public Path file() {
        return file;
    }

    /** Every record, oldest first. */
    public List<JsonNode> records() {
        return read(file);
    }

    /** The log of denied requests, next to the change log (audit-denied.jsonl). */
    public Path deniedFile() {
        return dir.resolve("audit-denied.jsonl");
    }

    /** Every record of denied requests, oldest first. */
    public List<JsonNode> deniedRecords() {
        return read(deniedFile());
    }

    private static List<JsonNode> read(Path file) {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            return Files.readAllLines(file).stream().map(JSON::readTree).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<JsonNode> find(String id) {
        return records().stream().filter(record -> id.equals(record.path("id").asString(null))).findFirst();
    }

    /**
     * The outcome record a response's auditId names, checked to follow its intent: same action and
     * target, the intent written first and without a result.
     */
    public Change change(String auditId) {
        List<JsonNode> records = records();
        int at = indexOf(records, auditId);
        assertThat(at).as("audit record " + auditId).isNotNegative();
        JsonNode outcome = records.get(at);
        assertThat(outcome.path("phase").asString()).isEqualTo("outcome");
        String intentId = outcome.path("intentId").asString();
        int intentAt = indexOf(records, intentId);
        assertThat(intentAt).as("intent " + intentId + " before its outcome").isBetween(0, at - 1);
        JsonNode intent = records.get(intentAt);
        assertThat(intent.path("phase").asString()).isEqualTo("intent");
        assertThat(intent.path("result").isNull()).isTrue();
        assertThat(intent.path("action").asString()).isEqualTo(outcome.path("action").asString());
        assertThat(intent.path("target").asString()).isEqualTo(outcome.path("target").asString());
        return new Change(intent, outcome);
    }

    /** How many intent records there are: each is a change that was let through to the host. */
    public long intents() {
        return records().stream().filter(record -> "intent".equals(record.path("phase").asString(null))).count();
    }

    /**
     * Makes the audit directory vanish (a lost mount) while {@code action} runs, then puts it back
     * as it was, so the chain goes on unbroken.
     */
    public void unavailableDuring(ThrowingRunnable action) throws Exception {
        Path away = dir.resolveSibling(dir.getFileName() + ".away");
        Files.move(dir, away, StandardCopyOption.ATOMIC_MOVE);
        try {
            action.run();
        } finally {
            Files.move(away, dir, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * Stubs a spy of the audit log so that every outcome record is lost: the audit directory vanishes
     * just as the outcome is written (the change has been applied by then) and comes back after.
     *
     * @return the spy, stubbed
     */
    public AuditLog losingOutcomes(AuditLog spy) {
        Mockito.doAnswer(call -> {
            Path away = dir.resolveSibling(dir.getFileName() + ".away");
            Files.move(dir, away, StandardCopyOption.ATOMIC_MOVE);
            try {
                return call.callRealMethod();
            } finally {
                Files.move(away, dir, StandardCopyOption.ATOMIC_MOVE);
            }
        }).when(spy).outcome(ArgumentMatchers.any(), ArgumentMatchers.any(), ArgumentMatchers.any(),
                ArgumentMatchers.any(), ArgumentMatchers.any(), ArgumentMatchers.any());
        return spy;
    }

    /** An audit log over this trail's file, for tests that wire a feature by hand. */
    public AuditLog log() {
        return AuditLog.toFile(file, () -> "DIRECT", java.time.Clock.systemUTC());
    }

    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** An intent and its outcome. */
    public record Change(JsonNode intent, JsonNode outcome) {

        public String result() {
            return outcome.path("result").asString();
        }
    }

    private static int indexOf(List<JsonNode> records, String id) {
        for (int i = 0; i < records.size(); i++) {
            if (id.equals(records.get(i).path("id").asString(null))) {
                return i;
            }
        }
        return -1;
    }
}
