package io.ctagent.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.problem.InvalidInput;
import io.ctagent.testsupport.MutableClock;

class AuditSearchTest {

    @TempDir
    Path dir;

    AuditFile file;
    AuditLog audit;
    MutableClock clock = new MutableClock(Instant.parse("2025-01-31T10:00:00Z"));

    @BeforeEach
    void writeRecords() {
        file = new AuditFile(dir.resolve("audit.jsonl"), 3_000, 20);
        audit = new AuditLog(file, () -> "DIRECT", clock);
        for (int i = 0; i < 10; i++) {
            clock.now = Instant.parse("2025-01-31T10:00:00Z").plusSeconds(60L * i);
            audit.rejected(i % 2 == 0 ? "sysctl.set" : "access", "t" + i, Map.of("i", i),
                    i % 3 == 0 ? AuditResult.DENIED : AuditResult.INVALID, "r" + i);
        }
    }

    @AfterEach
    void close() {
        file.close();
    }

    AuditPage search(String since, String until, String action, String result, String limit, String cursor) {
        try (AuditSnapshot snapshot = file.snapshot()) {
            return AuditSearch.search(snapshot, AuditQuery.parse(since, until, null, action, result, limit, cursor));
        }
    }

    static List<String> targets(AuditPage page) {
        return page.records().stream().map(AuditRecord::target).toList();
    }

    @Test
    void newestFirstAcrossRotatedFiles() {
        assertThat(file.snapshot().segments()).hasSizeGreaterThan(1);
        assertThat(targets(search(null, null, null, null, null, null)))
                .containsExactly("t9", "t8", "t7", "t6", "t5", "t4", "t3", "t2", "t1", "t0");
    }

    @Test
    void filtersCombine() {
        assertThat(targets(search("2025-01-31T10:02:00Z", "2025-01-31T10:08:00Z", "sysctl.set", null, null, null)))
                .containsExactly("t6", "t4", "t2");
        assertThat(targets(search(null, null, null, "denied", null, null))).containsExactly("t9", "t6", "t3", "t0");
    }

    @Test
    void pagesFollowTheCursorToTheEnd() {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            AuditPage page = search(null, null, null, null, "4", cursor);
            seen.addAll(targets(page));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactly("t9", "t8", "t7", "t6", "t5", "t4", "t3", "t2", "t1", "t0");
    }

    @Test
    void badFiltersNameTheirField() {
        assertThatThrownBy(() -> search("yesterday", null, null, null, null, null))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("since"));
        assertThatThrownBy(() -> search(null, "2025-13-01T00:00:00Z", null, null, null, null))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("until"));
        assertThatThrownBy(() -> search("2025-01-31T11:00:00Z", "2025-01-31T10:00:00Z", null, null, null, null))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("until"));
        assertThatThrownBy(() -> search(null, null, null, "MAYBE", null, null))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("result"));
        assertThatThrownBy(() -> search(null, null, null, null, "0", null))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("limit"));
        assertThatThrownBy(() -> search(null, null, null, null, null, "no-such-id"))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("cursor"));
    }
}
