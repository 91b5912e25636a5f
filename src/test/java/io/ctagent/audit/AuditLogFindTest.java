package io.ctagent.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Looking a record up by id, as rollback does with a response's auditId. */
class AuditLogFindTest {

    @TempDir
    Path dir;

    AuditFile file;

    @AfterEach
    void close() {
        if (file != null) {
            file.close();
        }
    }

    @Test
    void findsOutcomesAndIntentsByIdAcrossRotatedFiles() {
        // Small files: the first change ends up in a rotated file.
        file = new AuditFile(dir.resolve("audit.jsonl"), 2_000, 100);
        AuditLog audit = new AuditLog(file, () -> "DIRECT", Clock.systemUTC());
        AuditIntent first = audit.intent("sysctl.set", "net.netfilter.nf_conntrack_max", Map.of("value", 524288),
                Map.of("values", Map.of("net.netfilter.nf_conntrack_max", 262144)));
        String firstOutcome = audit.outcome(first, AuditResult.APPLIED, null,
                Map.of("values", Map.of("net.netfilter.nf_conntrack_max", 524288)), List.of(), null);
        for (int i = 0; i < 20; i++) {
            AuditIntent other = audit.intent("sysctl.set", "k" + i, Map.of(), null);
            audit.outcome(other, AuditResult.UNCHANGED, null, null, List.of(), null);
        }
        assertThat(dir.resolve("audit.jsonl.1")).exists();

        AuditRecord outcome = audit.find(firstOutcome).orElseThrow();
        assertThat(outcome.phase()).isEqualTo("outcome");
        assertThat(outcome.intentId()).isEqualTo(first.id());
        assertThat(outcome.result()).isEqualTo(AuditResult.APPLIED);
        assertThat(outcome.after().at("/values/net.netfilter.nf_conntrack_max").asLong()).isEqualTo(524288);
        assertThat(audit.find(first.id()).orElseThrow().phase()).isEqualTo("intent");
        assertThat(audit.outcomeOf(first.id()).orElseThrow().id()).isEqualTo(firstOutcome);
        assertThat(audit.find("no-such-id")).isEmpty();
        assertThat(audit.outcomeOf(firstOutcome)).isEmpty();
    }

    @Test
    void anIntentWithoutOutcomeHasNone() {
        file = new AuditFile(dir.resolve("audit.jsonl"), 50_000_000, 10);
        AuditLog audit = new AuditLog(file, () -> "DIRECT", Clock.systemUTC());
        AuditIntent interrupted = audit.intent("sysctl.set", "k", Map.of(), null);

        assertThat(audit.find(interrupted.id())).isPresent();
        assertThat(audit.outcomeOf(interrupted.id())).isEmpty();
    }
}
