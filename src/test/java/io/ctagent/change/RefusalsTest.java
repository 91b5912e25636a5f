package io.ctagent.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.audit.AuditLog;
import io.ctagent.audit.DeniedRequests;
import io.ctagent.problem.RejectedRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class RefusalsTest {

    @TempDir
    Path dir;

    @Test
    void anInvalidChangeRequestIsOneInvalidRecordWithTheField() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        DeniedRequests denials = mock(DeniedRequests.class);
        new Refusals(AuditLog.toFile(file, () -> "DIRECT", Clock.systemUTC()), denials)
                .invalid(new RejectedRequest("PUT /api/v1/sysctls/{key}", "/api/v1/sysctls/nf_conntrack_max", "value",
                        "value must be a whole number; got 'lots'"));
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1);
        JsonNode record = JsonMapper.builder().build().readTree(lines.get(0));
        assertThat(record.get("result").stringValue()).isEqualTo("INVALID");
        assertThat(record.get("phase").stringValue()).isEqualTo("rejected");
        assertThat(record.get("action").stringValue()).isEqualTo("PUT /api/v1/sysctls/{key}");
        assertThat(record.get("params").get("field").stringValue()).isEqualTo("value");
        assertThat(record.get("reason").stringValue()).contains("lots");
        verifyNoInteractions(denials);
    }

    @Test
    void aDeniedRequestGoesToTheLogOfDeniedRequestsNotTheChangeHistory() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        DeniedRequests denials = mock(DeniedRequests.class);
        new Refusals(AuditLog.toFile(file, () -> "DIRECT", Clock.systemUTC()), denials)
                .denied("forbidden", "POST", "/api/v1/conntrack/flush", "ADMIN", "needs role ADMIN");
        verify(denials).record("forbidden", "POST", "/api/v1/conntrack/flush", "ADMIN", "needs role ADMIN");
        assertThat(Files.exists(file) ? Files.readAllLines(file) : List.of()).isEmpty();
    }
}
