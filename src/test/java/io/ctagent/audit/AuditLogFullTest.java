package io.ctagent.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.problem.OperatorProblem;

/** Change history is never deleted to make room: a full log refuses the change, as a full disk does. */
class AuditLogFullTest {

    @TempDir
    Path dir;

    @Test
    void whenChangeRecordsFillEveryFileTheNextChangeIsRefused503AndNothingIsDeleted() throws Exception {
        try (AuditFile file = new AuditFile(dir.resolve("audit.jsonl"), 2_000, 2)) {
            AuditLog audit = new AuditLog(file, () -> "DIRECT", Clock.systemUTC());
            String first = audit.intent("sysctl.set", "net.netfilter.nf_conntrack_max", Map.of("value", 1), null).id();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    audit.intent("sysctl.set", "net.netfilter.nf_conntrack_max", Map.of("value", i), null);
                }
            }).isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                assertThat(problem.getStatusCode().value()).isEqualTo(503);
                assertThat(problem.getBody().getDetail()).contains("nothing was changed", "ctagent.audit.max-files");
            });
            assertThat(Files.readString(dir.resolve("audit.jsonl.1"))).as("the oldest record is still there")
                    .contains(first);
        }
    }
}
