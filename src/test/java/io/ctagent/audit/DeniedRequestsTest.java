package io.ctagent.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import io.ctagent.testsupport.MutableClock;
import tools.jackson.databind.JsonNode;

class DeniedRequestsTest {

    static final Duration INTERVAL = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-31T13:00:00Z"));

    final List<AuditFile> opened = new ArrayList<>();

    @AfterEach
    void close() {
        RequestContextHolder.resetRequestAttributes();
        opened.forEach(AuditFile::close);
    }

    DeniedRequests denials(long maxFileSize, int maxFiles, AuditFile.Removal removal) {
        AuditFile file = new AuditFile(dir.resolve("audit-denied.jsonl"), maxFileSize, maxFiles, removal);
        opened.add(file);
        return new DeniedRequests(file, () -> "DIRECT", clock, INTERVAL);
    }

    void from(String address) {
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setRemoteAddr(address);
        RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));
    }

    List<JsonNode> records() throws IOException {
        Path file = dir.resolve("audit-denied.jsonl");
        return Files.readAllLines(file).stream().map(line -> (JsonNode) AuditChain.JSON.readTree(line)).toList();
    }

    @Test
    void aFloodFromOneSourceIsOneRecordAtOnceThenOneWithTheCountWhenTheIntervalEnds() throws IOException {
        DeniedRequests denials = denials(50_000_000, 4, null);
        from("192.0.2.7");
        String longUri = "/" + "x".repeat(3_000);
        for (int i = 0; i < 1_000; i++) {
            denials.record("no-rule", i % 2 == 0 ? "POST" : "DELETE", longUri, null, "There is no endpoint " + longUri);
            clock.now = clock.now.plusMillis(10);
        }
        assertThat(records()).singleElement().satisfies(first -> {
            assertThat(first.at("/params/count").asLong()).isEqualTo(1);
            assertThat(first.get("result").asString()).isEqualTo("DENIED");
            assertThat(first.get("sourceIp").asString()).isEqualTo("192.0.2.7");
        });

        denials.flush();
        assertThat(records()).as("nothing more before the interval ends").hasSize(1);
        clock.now = clock.now.plus(INTERVAL);
        denials.flush();
        JsonNode rest = records().get(1);
        assertThat(rest.at("/params/count").asLong()).isEqualTo(999);
        assertThat(rest.at("/params/methods").toString()).isEqualTo("[\"DELETE\",\"POST\"]");
        assertThat(rest.get("target").asString()).startsWith("DELETE /xxx").hasSize("DELETE ".length() + 256);
        assertThat(rest.get("reason").asString()).hasSize(DeniedRequests.MAX_REASON);
    }

    @Test
    void recordsNumberAtMostOnePerIntervalPerSourceAndReason() throws IOException {
        DeniedRequests denials = denials(50_000_000, 4, null);
        Instant start = clock.now;
        for (int i = 0; i < 6_000; i++) {
            from(i % 2 == 0 ? "192.0.2.7" : "192.0.2.8");
            denials.record("unauthenticated", "GET", "/api/v1/agent", "viewer", "send a key");
            clock.now = clock.now.plusMillis(100);
            if (i % 10 == 0) {
                denials.flush();
            }
        }
        clock.now = clock.now.plus(INTERVAL);
        denials.flush();
        long intervals = Duration.between(start, clock.now).toMillis() / INTERVAL.toMillis() + 1;
        List<JsonNode> records = records();
        assertThat(records.stream().mapToLong(r -> r.at("/params/count").asLong()).sum())
                .as("every denial is counted").isEqualTo(6_000);
        for (String source : List.of("192.0.2.7", "192.0.2.8")) {
            assertThat(records.stream().filter(r -> source.equals(r.get("sourceIp").asString())).count())
                    .isLessThanOrEqualTo(intervals);
        }
    }

    @Test
    void pastTheGroupCapFurtherSourcesShareOneGroup() throws IOException {
        DeniedRequests denials = denials(50_000_000, 4, null);
        for (int i = 0; i < DeniedRequests.MAX_GROUPS + 500; i++) {
            from("2001:db8::" + Integer.toHexString(i));
            denials.record("unauthenticated", "GET", "/api/v1/agent", "viewer", "send a key");
        }
        List<JsonNode> records = records();
        assertThat(records).hasSize(DeniedRequests.MAX_GROUPS + 1);
        assertThat(records.get(records.size() - 1).get("sourceIp").asString()).isEqualTo(DeniedRequests.MANY_SOURCES);
        clock.now = clock.now.plus(INTERVAL);
        denials.flush();
        assertThat(records().get(records().size() - 1).at("/params/count").asLong()).isEqualTo(499);
    }

    @Test
    void rotationOfDenialsNeverTouchesTheChangeHistoryWhichSaysWhatWent() throws IOException {
        AuditFile changesFile = new AuditFile(dir.resolve("audit.jsonl"), 50_000_000, 2);
        opened.add(changesFile);
        AuditLog changes = new AuditLog(changesFile, () -> "DIRECT", clock);
        List<String> changeIds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            changeIds.add(changes.intent("sysctl.set", "net.netfilter.nf_conntrack_max", Map.of("value", i), null).id());
        }
        DeniedRequests denials = denials(20_000, 2, removed -> changes.removing("denied", removed));
        for (int i = 0; i < 3_000; i++) {
            from("198.51.100." + (i % 250));
            denials.record("no-rule", "PUT", "/" + "y".repeat(400) + i, null, "no such endpoint");
            if (i % 250 == 249) {
                clock.now = clock.now.plus(INTERVAL);
            }
        }
        List<String> changeLines = Files.readAllLines(dir.resolve("audit.jsonl"));
        for (String id : changeIds) {
            assertThat(changeLines).anyMatch(line -> line.contains(id));
        }
        VerifyReport report;
        try (AuditSnapshot snapshot = changesFile.snapshot()) {
            report = ChainVerifier.verify(snapshot);
        }
        assertThat(report.ok()).isTrue();
        assertThat(report.rotatedAway()).isNotNull();
        long kept = records().size() + (Files.exists(dir.resolve("audit-denied.jsonl.1"))
                ? Files.readAllLines(dir.resolve("audit-denied.jsonl.1")).size() : 0);
        assertThat(report.rotatedAway().records() + kept).as("every denial record is kept or accounted for")
                .isEqualTo(3_000);
        try (AuditSnapshot snapshot = denials.file().snapshot()) {
            assertThat(ChainVerifier.verify(snapshot).ok()).isTrue();
        }
    }
}
