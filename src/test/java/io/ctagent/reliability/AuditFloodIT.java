package io.ctagent.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.ctagent.testsupport.AgentProcess;
import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.TestApiKeys;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stranger floods a running agent (the packaged jar) whose audit may hold 2 x 1 MB of change
 * records: 20,000 unauthenticated requests, mixed methods, URIs of 2,000 characters (about 40 MB
 * of what used to be written to the audit). Afterwards every change record from before the flood is
 * still there, the chain verifies, every denial is counted in records at most one per interval and
 * group, and a change made after the flood is audited.
 */
class AuditFloodIT {

    static final int FLOOD = 20_000;
    static final Duration INTERVAL = Duration.ofSeconds(2);
    static final String MAX = "/api/v1/sysctls/net.netfilter.nf_conntrack_max";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH"};

    @Test
    void aFloodOfStrangersLeavesTheChangeHistoryWhole() throws Exception {
        Path dir = Files.createTempDirectory("ctagent-flood");
        Path audit = dir.resolve("audit.jsonl");
        try (AgentProcess agent = AgentProcess.start(dir, "--ctagent.host.mode=dry-run",
                "--ctagent.audit.path=" + audit, "--ctagent.audit.max-file-size=1MB", "--ctagent.audit.max-files=2",
                "--ctagent.audit.denied-max-file-size=1MB", "--ctagent.audit.denied-max-files=2",
                "--ctagent.audit.denied-interval=" + INTERVAL.toSeconds() + "s",
                "--ctagent.notrack.state-file=" + dir.resolve("notrack.json"),
                "--ctagent.monitor.kmsg-path=" + dir.resolve("no-kmsg"))) {
            long max = JSON.readTree(agent.api().send("GET", MAX, TestApiKeys.VIEWER, null).body()).get("value").asLong();
            List<String> before = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                before.add(change(agent, max));
            }

            Instant start = Instant.now();
            Map<Integer, AtomicInteger> statuses = flood(agent);
            Instant end = Instant.now();
            // The last interval's count is written when that interval ends.
            Thread.sleep(INTERVAL.plusSeconds(2).toMillis());

            List<String> changeLog = lines(dir, "audit.jsonl");
            for (String id : before) {
                assertAudited(changeLog, id);
            }
            JsonNode verify = JSON.readTree(agent.api().send("GET", "/api/v1/audit/verify", TestApiKeys.AUDITOR, null).body());
            assertThat(verify.get("ok").asBoolean()).as(verify.toString()).isTrue();

            List<JsonNode> denied = lines(dir, "audit-denied.jsonl").stream().map(JSON::readTree).toList();
            long counted = denied.stream().mapToLong(r -> r.at("/params/count").asLong()).sum();
            Map<String, List<Instant>> byGroup = new HashMap<>();
            for (JsonNode record : denied) {
                byGroup.computeIfAbsent(record.get("sourceIp").asString() + " " + record.get("actor").asString(null)
                        + " " + record.at("/params/reason").asString(), k -> new ArrayList<>())
                        .add(Instant.parse(record.get("time").asString()));
                assertThat(record.get("target").asString().length()).isLessThanOrEqualTo(6 + 1 + 256);
            }
            long spanned = (Duration.between(start, end).toMillis() + INTERVAL.toMillis() - 1) / INTERVAL.toMillis();
            System.out.printf("AuditFloodIT: %d requests in %d ms, statuses %s; %d denial records in %d groups "
                            + "(%d intervals of %d s spanned), change log %d lines, verify %s%n", FLOOD,
                    Duration.between(start, end).toMillis(), statuses, denied.size(), byGroup.size(), spanned,
                    INTERVAL.toSeconds(), changeLog.size(), verify);

            assertThat(counted).as("every denial is counted").isEqualTo(FLOOD);
            byGroup.forEach((group, times) -> {
                // One at once, then at most one per interval, and the last when its interval ends.
                assertThat((long) times.size()).as("records of %s", group).isLessThanOrEqualTo(spanned + 1);
                for (int i = 1; i < times.size(); i++) {
                    assertThat(Duration.between(times.get(i - 1), times.get(i))).as("records of %s", group)
                            .isGreaterThanOrEqualTo(INTERVAL);
                }
            });

            String after = change(agent, max);
            assertAudited(lines(dir, "audit.jsonl"), after);
            assertThat(agent.isAlive()).isTrue();
        }
    }

    /** The outcome record with this id, and the intent it ends, are both in the change log. */
    private static void assertAudited(List<String> changeLog, String outcomeId) {
        String outcome = changeLog.stream().filter(line -> line.contains("\"id\":\"" + outcomeId + "\"")).findFirst()
                .orElseThrow(() -> new AssertionError("no change record " + outcomeId));
        String intentId = JSON.readTree(outcome).get("intentId").asString();
        assertThat(changeLog).as("the intent of %s", outcomeId)
                .anyMatch(line -> line.contains("\"id\":\"" + intentId + "\"") && line.contains("\"phase\":\"intent\""));
    }

    /** A dry-run change of nf_conntrack_max to its own value; returns its outcome's id (the answer's auditId). */
    private static String change(AgentProcess agent, long max) throws Exception {
        HttpResponse<String> answer = agent.api().send("PUT", MAX, TestApiKeys.OPERATOR,
                "{\"value\": " + max + ", \"dryRun\": true}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        String id = JSON.readTree(answer.body()).get("auditId").asString(null);
        assertThat(id).as(answer.body()).isNotNull();
        return id;
    }

    /** 20,000 requests from 16 threads: unknown long paths, known paths with long queries, wrong keys. */
    private static Map<Integer, AtomicInteger> flood(AgentProcess agent) throws Exception {
        HostApi api = agent.api().timeout(Duration.ofSeconds(30));
        Map<Integer, AtomicInteger> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger sent = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            threads.add(pool.submit(() -> {
                for (int i = sent.getAndIncrement(); i < FLOOD; i = sent.getAndIncrement()) {
                    String junk = randomLetters(2_000);
                    String path = switch (i % 3) {
                        case 0 -> "/api/v1/" + junk;
                        case 1 -> "/api/v1/conntrack/usage?q=" + junk;
                        default -> "/api/v2/" + junk;
                    };
                    String method = METHODS[i % METHODS.length];
                    int status;
                    try {
                        status = api.send(method, path, i % 7 == 0 ? "not-a-key-" + i : null,
                                "GET".equals(method) ? null : "{}").statusCode();
                    } catch (IOException e) {
                        status = -1;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                }
            }));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(5, TimeUnit.MINUTES)).as("the flood ended").isTrue();
        for (Future<?> thread : threads) {
            thread.get(); // an answer that does not match the spec fails the test here
        }
        assertThat(statuses.keySet()).as("every request denied, none failed: %s", statuses)
                .allMatch(status -> status == 401 || status == 403);
        return statuses;
    }

    private static String randomLetters(int length) {
        StringBuilder text = new StringBuilder(length);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    /** The lines of a log and its rotated files, oldest first. */
    private static List<String> lines(Path dir, String name) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> matching = files.filter(p -> p.getFileName().toString().startsWith(name))
                    .sorted((a, b) -> b.getFileName().toString().compareTo(a.getFileName().toString())).toList();
            for (Path file : matching) {
                lines.addAll(Files.readAllLines(file));
            }
        }
        return lines;
    }
}
