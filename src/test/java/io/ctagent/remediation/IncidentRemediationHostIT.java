package io.ctagent.remediation;

import static io.ctagent.testsupport.JsonNodes.find;
import static io.ctagent.testsupport.JsonNodes.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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
import tools.jackson.databind.json.JsonMapper;

/**
 * Unattended remediation on the real kernel: the agent runs in this machine's own (initial)
 * namespace with remediation on and the lifeline off; a lab namespace fills its table at a small
 * global max. Nobody calls the API to fix anything: the agent raises max by itself within 2 s of
 * the first drop, no higher than its ceiling, audited as policy:remediation; a second fill within
 * the cooldown changes nothing; a fill at the ceiling raises a critical finding naming the sources.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ctagent.remediation.enabled=true",
        "ctagent.remediation.max-ceiling=1000",
        "ctagent.remediation.cooldown=60s"})
@Import(HostApi.class)
class IncidentRemediationHostIT {

    private static final long CEILING = 1000;
    private static final long LOW = 600;
    private static final String MAX = "net.netfilter.nf_conntrack_max";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static Path auditFile;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        TestApiKeys.register(registry);
        auditFile = Files.createTempDirectory("ctagent-remediation").resolve("audit.jsonl");
        registry.add("ctagent.audit.path", auditFile::toString);
    }

    @Autowired
    HostApi api;

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "iptables", "conntrack", "nsenter", "sysctl");
    }

    @Test
    void aFullTableIsRaisedWithinTheBudgetWithoutACallerAndAtTheCeilingOnlyReported() throws Exception {
        long originalMax = KernelValues.read(MAX);
        try (LabNamespace lab = LabNamespace.create()) {
            try {
                // At the ceiling: nothing changes, a critical finding names the top sources.
                setMax(CEILING);
                try (TrafficGenerator.Run fill = fill(lab, CEILING, 18181)) {
                    JsonNode finding = await(Duration.ofSeconds(5), "/api/v1/diagnosis", diagnosis ->
                            find(diagnosis.get("findings"), f -> "remediation-at-ceiling".equals(text(f, "id"))));
                    assertThat(text(finding, "severity")).isEqualTo("CRITICAL");
                    assertThat(finding.get("evidence").get("netns").asString()).isEqualTo(lab.name());
                    assertThat(finding.get("evidence").get("topSources").toString()).contains("127.0.0.1");
                    assertThat(KernelValues.read(MAX)).isEqualTo(CEILING);
                }
                assertThat(remediationChanges()).isEmpty();
                lab.exec("conntrack", "-F");

                // Below it: raised by itself, no higher than the ceiling, within 2 s of the first drop.
                setMax(LOW);
                Instant filled = Instant.now();
                try (TrafficGenerator.Run fill = fill(lab, LOW, 18182)) {
                    JsonNode raised = awaitRemediation(filled);
                    assertThat(KernelValues.read(MAX)).isEqualTo(CEILING);
                    Instant firstDrop = firstTableFull(lab, filled);
                    Duration recovery = Duration.between(firstDrop, Instant.parse(text(raised, "time")));
                    try (TrafficGenerator.Run more = TrafficGenerator.startIn(lab, "tcp-hold", "20", "18183")) {
                        assertThat(more.firstLine()).isEqualTo("READY 20");
                    }
                    System.out.println("remediation: first drop " + firstDrop + ", max raised " + text(raised, "time")
                            + " (" + recovery.toMillis() + " ms)");
                    assertThat(recovery).isLessThanOrEqualTo(Duration.ofSeconds(2));
                }
                List<JsonNode> changes = remediationChanges();
                assertThat(changes).hasSize(2);
                assertThat(changes).allSatisfy(record -> {
                    assertThat(text(record, "actor")).isEqualTo("policy:remediation");
                    assertThat(text(record, "action")).isEqualTo("sysctl.set");
                });
                JsonNode outcome = changes.get(1);
                assertThat(text(outcome, "result")).isEqualTo("APPLIED");
                assertThat(outcome.get("after").toString()).contains(String.valueOf(CEILING));
                assertThat(changes.get(0).get("params").toString() + outcome)
                        .contains("table full", lab.name(), "max " + LOW);
                assertThat(api.get("/api/v1/events?type=REMEDIATION").toString()).contains("Remediation raised");
                lab.exec("conntrack", "-F");

                // Within the cooldown: a second fill makes no second change.
                setMax(LOW);
                Instant second = Instant.now();
                try (TrafficGenerator.Run fill = fill(lab, LOW, 18184)) {
                    firstTableFull(lab, second);
                    Thread.sleep(3000);
                    assertThat(KernelValues.read(MAX)).isEqualTo(LOW);
                }
                assertThat(remediationChanges()).hasSize(2);

                // The change it made rolls back like any other.
                // Lowering max back below the count is forced past a guard: the admin's call.
                HttpResponse<String> rollback = api.send("POST", "/api/v1/sysctls/rollback", TestApiKeys.ADMIN,
                        "{\"auditId\":\"" + text(outcome, "id") + "\",\"force\":true,\"reason\":\"drill\"}");
                assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(200);
            } finally {
                LabNamespace.run("sysctl", "-w", MAX + "=" + originalMax);
            }
        } finally {
            assertThat(KernelValues.read(MAX)).isEqualTo(originalMax);
        }
    }

    private static void setMax(long value) {
        LabNamespace.run("sysctl", "-w", MAX + "=" + value);
    }

    /** Fills the lab's table until the kernel drops a SYN. */
    private static TrafficGenerator.Run fill(LabNamespace lab, long max, int port) throws Exception {
        TrafficGenerator.Run fill = TrafficGenerator.startIn(lab, "tcp-fill", String.valueOf(max + 100),
                String.valueOf(port));
        String opened = fill.firstLine();
        assertThat(opened).startsWith("OPEN ");
        return fill;
    }

    /** The REMEDIATION event that reports the raise, polled without any call that changes anything. */
    private JsonNode awaitRemediation(Instant after) throws Exception {
        return await(Duration.ofSeconds(5), "/api/v1/events?type=REMEDIATION", events -> find(events,
                e -> text(e, "message").startsWith("Remediation raised")
                        && !Instant.parse(text(e, "time")).isBefore(after.minusSeconds(1))));
    }

    private Instant firstTableFull(LabNamespace lab, Instant after) throws Exception {
        JsonNode event = await(Duration.ofSeconds(5), "/api/v1/events?type=TABLE_FULL", events -> find(events,
                e -> lab.name().equals(text(e, "netns"))
                        && !Instant.parse(text(e, "time")).isBefore(after.minusSeconds(1))));
        return Instant.parse(text(event, "time"));
    }

    /** Audit records of sysctl changes made by remediation: intent and outcome of each. */
    private static List<JsonNode> remediationChanges() throws Exception {
        List<JsonNode> records = new ArrayList<>();
        if (!Files.exists(auditFile)) {
            return records;
        }
        for (String line : Files.readAllLines(auditFile)) {
            JsonNode record = JSON.readTree(line);
            if ("policy:remediation".equals(text(record, "actor")) && "sysctl.set".equals(text(record, "action"))) {
                records.add(record);
            }
        }
        return records;
    }

    private JsonNode await(Duration within, String path, java.util.function.Function<JsonNode, JsonNode> pick)
            throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode last;
        do {
            last = api.get(path);
            JsonNode found = pick.apply(last);
            if (found != null) {
                return found;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not within " + within + ": GET " + path + " -> " + last);
    }
}
