package io.ctagent.monitor;

import static io.ctagent.testsupport.JsonNodes.find;
import static io.ctagent.testsupport.JsonNodes.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.KernelValues;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.testsupport.TrafficGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The incident drill on the real kernel: a lab namespace fills a table whose global max was
 * lowered to 1000; within 2 s of the first drop the agent must report the table-full event with
 * the namespace, show the namespace at 100 %, and propose a fix in the diagnosis; applying that
 * fix as an operator lets new connections through and is audited. Global values are restored.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(HostApi.class)
class IncidentDrillHostIT {

    private static final long DRILL_MAX = 1000;
    private static final String MAX = "net.netfilter.nf_conntrack_max";
    private static final String BUCKETS = "net.netfilter.nf_conntrack_buckets";
    // The persist file must live in a sysctl.d directory; /run is tmpfs and the test deletes it.
    private static final Path PERSIST = Path.of("/run/sysctl.d/99-ctagent-drill-"
            + UUID.randomUUID().toString().substring(0, 8) + ".conf");
    private static Path auditFile;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        TestApiKeys.register(registry);
        auditFile = Files.createTempDirectory("ctagent-drill").resolve("audit.jsonl");
        registry.add("ctagent.audit.path", auditFile::toString);
        registry.add("ctagent.sysctl.persist-file", PERSIST::toString);
    }

    @Autowired
    HostApi api;

    @Autowired
    ObjectMapper json;

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "iptables", "conntrack", "nsenter", "sysctl");
    }

    @AfterAll
    static void removePersistFile() throws Exception {
        Files.deleteIfExists(PERSIST);
    }

    @Test
    void tableFullInALabNamespaceIsSeenDiagnosedAndFixedThroughTheApi() throws Exception {
        long originalMax = KernelValues.read(MAX);
        long originalBuckets = KernelValues.read(BUCKETS);
        TrafficGenerator.Run filler = null;
        TrafficGenerator.Run afterFix = null;
        try (LabNamespace lab = LabNamespace.create()) {
            try {
                LabNamespace.run("sysctl", "-w", MAX + "=" + DRILL_MAX);
                filler = TrafficGenerator.startIn(lab, "tcp-fill", String.valueOf(DRILL_MAX + 100), "18181");
                String opened = filler.firstLine();
                // The connect that found the table full timed out after 1 s: the first drop was then.
                long firstDropNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(1);
                assertThat(opened).startsWith("OPEN ");
                assertThat(Long.parseLong(opened.substring(5))).isBetween(DRILL_MAX - 10, DRILL_MAX);

                JsonNode event = await(firstDropNanos, "/api/v1/events?type=TABLE_FULL",
                        events -> find(events, e -> lab.name().equals(text(e, "netns"))) != null);
                JsonNode tableFull = find(event, e -> lab.name().equals(text(e, "netns")));
                assertThat(tableFull.get("netnsInode").asLong()).isPositive();
                assertThat(tableFull.get("message").asText()).contains("table full");

                JsonNode namespaces = await(firstDropNanos, "/api/v1/netns",
                        list -> find(list, n -> lab.name().equals(text(n, "name"))) != null);
                JsonNode labNs = find(namespaces, n -> lab.name().equals(text(n, "name")));
                assertThat(labNs.get("usagePercent").asDouble()).isGreaterThanOrEqualTo(99.0);
                assertThat(labNs.get("inode").asLong()).isEqualTo(tableFull.get("netnsInode").asLong());

                JsonNode diagnosis = await(firstDropNanos, "/api/v1/diagnosis",
                        d -> find(d.get("findings"), f -> isLabCritical(f, lab)) != null);
                assertThat(diagnosis.get("level").asText()).isEqualTo("CRITICAL");
                JsonNode finding = find(diagnosis.get("findings"), f -> isLabCritical(f, lab));
                assertThat(finding.get("evidence").get("count").asLong()).isGreaterThanOrEqualTo(DRILL_MAX - 10);
                JsonNode fix = finding.get("fix");
                assertThat(fix.get("method").asText()).isEqualTo("PUT");

                HttpResponse<String> applied = api.send(fix.get("method").asText(), fix.get("path").asText(),
                        TestApiKeys.OPERATOR, json.writeValueAsString(fix.get("body")));
                assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
                JsonNode change = json.readTree(applied.body());
                assertThat(change.get("applied").asBoolean()).isTrue();
                String auditId = change.get("auditId").asText();
                assertThat(auditId).isNotBlank().isNotEqualTo("null");
                assertThat(KernelValues.read(MAX)).isEqualTo(fix.get("body").get("value").asLong());

                afterFix = TrafficGenerator.startIn(lab, "tcp-hold", "20", "18182");
                String ready = afterFix.firstLine();
                assertThat(ready).isEqualTo("READY 20");

                HttpResponse<String> audit = api.send("GET", "/api/v1/audit?limit=50", TestApiKeys.AUDITOR, null);
                assertThat(audit.statusCode()).isEqualTo(200);
                assertThat(audit.body()).contains(auditId, MAX);
            } finally {
                if (afterFix != null) {
                    afterFix.close();
                }
                if (filler != null) {
                    filler.close();
                }
                LabNamespace.run("sysctl", "-w", MAX + "=" + originalMax);
                LabNamespace.run("sysctl", "-w", BUCKETS + "=" + originalBuckets);
            }
        } finally {
            assertThat(KernelValues.read(MAX)).isEqualTo(originalMax);
            assertThat(KernelValues.read(BUCKETS)).isEqualTo(originalBuckets);
        }
    }

    private static boolean isLabCritical(JsonNode finding, LabNamespace lab) {
        return "CRITICAL".equals(text(finding, "severity")) && finding.get("evidence") != null
                && lab.name().equals(text(finding.get("evidence"), "netns")) && finding.get("fix") != null;
    }

    /** Polls a GET until the condition holds, failing if that takes past 2 s after the first drop. */
    private JsonNode await(long firstDropNanos, String path, Predicate<JsonNode> condition) throws Exception {
        long deadline = firstDropNanos + Duration.ofSeconds(2).toNanos();
        JsonNode last = null;
        do {
            last = api.get(path);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not within 2 s of the first drop: GET " + path + " -> " + last);
    }
}
