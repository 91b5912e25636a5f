package io.ctagent.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.problem.RejectedRequest;
import tools.jackson.databind.JsonNode;

class RejectedRequestRecorderTest {

    @TempDir
    Path dir;

    @Test
    void anInvalidChangeRequestIsRecordedAsInvalidWithTheField() throws Exception {
        try (AuditFile file = new AuditFile(dir.resolve("audit.jsonl"), 1_000_000, 2)) {
            new RejectedRequestRecorder(new AuditLog(file, () -> "DIRECT", Clock.systemUTC()))
                    .on(new RejectedRequest("PUT /api/v1/sysctls/{key}", "/api/v1/sysctls/nf_conntrack_max", "value",
                            "value must be a whole number; got 'lots'"));
        }
        JsonNode record = AuditChain.JSON.readTree(Files.readAllLines(dir.resolve("audit.jsonl")).get(0));
        assertThat(record.get("result").stringValue()).isEqualTo("INVALID");
        assertThat(record.get("phase").stringValue()).isEqualTo("rejected");
        assertThat(record.get("action").stringValue()).isEqualTo("PUT /api/v1/sysctls/{key}");
        assertThat(record.get("params").get("field").stringValue()).isEqualTo("value");
        assertThat(record.get("reason").stringValue()).contains("lots");
    }
}
