package io.ctagent.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;

import io.ctagent.problem.InvalidInput;
import io.ctagent.problem.OperatorProblem;
import tools.jackson.databind.JsonNode;

/** Every attempted change leaves exactly one record, also when it is refused before its intent. */
class AuditLogAttemptTest {

    @TempDir
    Path temp;

    Path dir;
    AuditFile file;
    AuditLog audit;

    @BeforeEach
    void open() throws IOException {
        dir = Files.createDirectories(temp.resolve("audit"));
        file = new AuditFile(dir.resolve("audit.jsonl"), 50_000_000, 10);
        audit = new AuditLog(file, () -> "DIRECT", Clock.systemUTC());
    }

    @AfterEach
    void close() {
        file.close();
    }

    List<JsonNode> records() throws IOException {
        Path path = dir.resolve("audit.jsonl");
        return !Files.exists(path) ? List.of()
                : Files.readAllLines(path).stream().map(AuditChain.JSON::readTree).toList();
    }

    static OperatorProblem guardRefused() {
        return new OperatorProblem(HttpStatus.CONFLICT, "guard-refused", "Change refused by a guard",
                "net.netfilter.nf_conntrack_max = 1000 is below the 235930 entries tracked now. Nothing was changed.");
    }

    static Map<String, Object> properties(OperatorProblem problem) {
        return problem.getBody().getProperties() == null ? Map.of() : problem.getBody().getProperties();
    }

    static <T> T refuse(RuntimeException refusal) {
        throw refusal;
    }

    @Test
    void aRefusalBeforeTheIntentIsOneFailedRecordNamingTheProblemTypeAndDetail() throws IOException {
        OperatorProblem refusal = guardRefused();

        assertThatThrownBy(() -> audit.attempt("sysctl.set", "net.netfilter.nf_conntrack_max",
                Map.of("value", 1000), () -> refuse(refusal))).isSameAs(refusal);

        assertThat(records()).singleElement().satisfies(record -> {
            assertThat(record.get("phase").stringValue()).isEqualTo("rejected");
            assertThat(record.get("result").stringValue()).isEqualTo("FAILED");
            assertThat(record.get("action").stringValue()).isEqualTo("sysctl.set");
            assertThat(record.get("target").stringValue()).isEqualTo("net.netfilter.nf_conntrack_max");
            assertThat(record.at("/params/value").asLong()).isEqualTo(1000);
            assertThat(record.get("reason").stringValue())
                    .isEqualTo("guard-refused: net.netfilter.nf_conntrack_max = 1000 is below the 235930 entries "
                            + "tracked now. Nothing was changed.");
            assertThat(record.get("mode").stringValue()).isEqualTo("DIRECT");
            // The answer names the record, as a change's answer does.
            assertThat(properties(refusal)).containsEntry("auditId", record.get("id").stringValue());
        });
    }

    @Test
    void aForbiddenRefusalIsDenied() throws IOException {
        OperatorProblem refusal = new OperatorProblem(HttpStatus.FORBIDDEN, "admin-required", "Admin role required",
                "A NOTRACK rule that matches all traffic needs the admin role, even with force.");

        assertThatThrownBy(() -> audit.attempt("notrack.add", "netns:(own)/notrack/new", null, () -> refuse(refusal)))
                .isSameAs(refusal);

        assertThat(records()).singleElement().satisfies(record -> {
            assertThat(record.get("result").stringValue()).isEqualTo("DENIED");
            assertThat(record.get("reason").stringValue()).startsWith("admin-required: A NOTRACK rule");
        });
    }

    @Test
    void aChangeThatWroteItsIntentRecordsItsOwnOutcomeAndNothingElse() throws IOException {
        OperatorProblem failure = new OperatorProblem(HttpStatus.BAD_GATEWAY, "host-command-failed", "Host command "
                + "failed", "nft said no");

        assertThatThrownBy(() -> audit.attempt("notrack.add", "t", null, () -> {
            AuditIntent intent = audit.intent("notrack.add", "t", Map.of(), null);
            audit.outcome(intent, AuditResult.FAILED, null, null, List.of(), failure.getMessage());
            throw failure;
        })).isSameAs(failure);

        assertThat(records()).extracting(record -> record.get("phase").stringValue())
                .containsExactly("intent", "outcome");
        assertThat(properties(failure)).doesNotContainKey("auditId");
    }

    @Test
    void whenTheIntentCannotBeWrittenTheAnswerIs503AndNoRefusalIsTriedOnTopOfIt() throws Exception {
        Path away = temp.resolve("away");
        Files.move(dir, away, StandardCopyOption.ATOMIC_MOVE);
        try {
            assertThatThrownBy(() -> audit.attempt("sysctl.set", "t", null,
                    () -> audit.intent("sysctl.set", "t", Map.of(), null)))
                    .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                        assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                        assertThat(properties(problem)).doesNotContainKey("auditId");
                    });
        } finally {
            Files.move(away, dir, StandardCopyOption.ATOMIC_MOVE);
        }
        assertThat(records()).isEmpty();
    }

    @Test
    void badInputAndAccessDenialsAreLeftToTheLayersThatAnswerAndRecordThem() throws IOException {
        InvalidInput invalid = new InvalidInput("value", "value must be an integer");
        AccessDeniedException denied = new AccessDeniedException("flushing the whole table needs role admin");

        assertThatThrownBy(() -> audit.attempt("sysctl.set", "t", null, () -> refuse(invalid))).isSameAs(invalid);
        assertThatThrownBy(() -> audit.attempt("conntrack.flush-all", "t", null, () -> refuse(denied)))
                .isSameAs(denied);

        assertThat(records()).isEmpty();
    }

    @Test
    void anUnexpectedFailureBeforeTheIntentIsFailedToo() throws IOException {
        assertThatThrownBy(() -> audit.attempt("hashsize.set", "t", null,
                () -> refuse(new IllegalStateException("no buckets value")))).hasMessage("no buckets value");

        assertThat(records()).singleElement().satisfies(record -> {
            assertThat(record.get("result").stringValue()).isEqualTo("FAILED");
            assertThat(record.get("reason").stringValue()).isEqualTo("internal-error: no buckets value");
        });
    }

    @Test
    void nestedAttemptsAreOneChangeNamedByTheInnermost() throws IOException {
        OperatorProblem refusal = guardRefused();

        assertThatThrownBy(() -> audit.attempt("sysctl.rollback", "audit:42", Map.of("rollbackOf", "42"),
                () -> audit.attempt("sysctl.rollback", "net.netfilter.nf_conntrack_max",
                        Map.of("rollbackOf", "42", "force", false), () -> refuse(refusal)))).isSameAs(refusal);

        assertThat(records()).singleElement().satisfies(record -> {
            assertThat(record.get("target").stringValue()).isEqualTo("net.netfilter.nf_conntrack_max");
            assertThat(record.at("/params/force").asBoolean(true)).isFalse();
        });
        // A refusal in the outer part alone is named by the outer attempt.
        assertThatThrownBy(() -> audit.attempt("sysctl.rollback", "audit:43", null, () -> refuse(guardRefused())))
                .isInstanceOf(OperatorProblem.class);
        assertThat(records()).hasSize(2);
        assertThat(records().get(1).get("target").stringValue()).isEqualTo("audit:43");
    }

    @Test
    void aChangeThatGoesThroughLeavesOnlyItsOwnRecords() throws IOException {
        String answer = audit.attempt("sysctl.set", "t", null, () -> {
            AuditIntent intent = audit.intent("sysctl.set", "t", Map.of(), null);
            return audit.outcome(intent, AuditResult.APPLIED, null, null, List.of(), null);
        });

        assertThat(records()).hasSize(2);
        assertThat(records().get(1).get("id").stringValue()).isEqualTo(answer);
        // The attempt is over: a later intent outside any attempt is not mistaken for part of it.
        audit.intent("notrack.reconcile", "t", Map.of(), null);
        assertThat(records()).hasSize(3);
    }

    @Test
    void whenTheRefusalCannotBeRecordedTheCallerStillGetsTheRefusalNotA503() throws Exception {
        OperatorProblem refusal = guardRefused();
        Path away = temp.resolve("away");
        Files.move(dir, away, StandardCopyOption.ATOMIC_MOVE);
        try {
            assertThatThrownBy(() -> audit.attempt("sysctl.set", "t", null, () -> refuse(refusal)))
                    .isSameAs(refusal);
        } finally {
            Files.move(away, dir, StandardCopyOption.ATOMIC_MOVE);
        }
        assertThat(refusal.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(properties(refusal)).doesNotContainKey("auditId");
        assertThat(records()).isEmpty();
    }
}
