package io.ctagent.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;

import io.ctagent.testsupport.AgentProcess;
import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.testsupport.TrafficGenerator;

/**
 * A viewer tries to exhaust the agent, as shipped (96 MB heap that exits on out-of-memory, 8
 * request threads): 32 event streams held open and 8 callers asking for a summary of a 250,000-entry
 * lab table by source and destination (250,000 distinct groups) over and over, for 30 s, while an
 * operator changes a sysctl of the lab and the readiness probe is asked every 250 ms. The probe
 * answers 200 every time, every change succeeds, the agent never exits, streams past the cap get 503
 * and summaries past the cap 429; a 1 MB body gets 413. Traffic only on the lab's loopback.
 */
class BoundedCallersLoadHostIT {

    static final int ENTRIES = 250_000;
    static final int STREAMS = 32;
    static final int SUMMARIES = 8;
    static final Duration RUN = Duration.ofSeconds(30);

    @Test
    void aViewerCannotExhaustTheAgent() throws Exception {
        HostPrerequisites.require("ip", "iptables", "conntrack", "nsenter", "sysctl");
        Path dir = Files.createTempDirectory("ctagent-bounded");
        try (LabNamespace lab = LabNamespace.create()) {
            // UNREPLIED UDP entries live nf_conntrack_udp_timeout: long enough for the whole run.
            lab.exec("sysctl", "-w", "net.netfilter.nf_conntrack_udp_timeout=600");
            spray(lab, ENTRIES);
            assertThat(lab.conntrackCount()).isGreaterThanOrEqualTo(ENTRIES);

            List<String> shipped = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dspring.aot.enabled=true", "-XX:+UseSerialGC", "-Xmx96m", "-Xmn8m", "-XX:+ExitOnOutOfMemoryError",
                    "-XX:TieredStopAtLevel=1", "-jar", AgentProcess.jar().toString());
            try (AgentProcess agent = AgentProcess.launch(dir, shipped, Map.of(), "--ctagent.host.mode=direct",
                    "--ctagent.audit.path=" + dir.resolve("audit.jsonl"),
                    "--ctagent.notrack.state-file=" + dir.resolve("notrack.json"),
                    "--ctagent.notrack.reconcile-interval=0",
                    "--ctagent.monitor.kmsg-path=" + dir.resolve("no-kmsg"))) {
                run(agent, lab);
            }
        }
    }

    private void run(AgentProcess agent, LabNamespace lab) throws Exception {
        HostApi api = agent.api().timeout(Duration.ofSeconds(30));
        // A summary of the whole table, or a 1 MB body, may take longer; their 429 and 413 are in the contract.
        HostApi slow = api.timeout(Duration.ofSeconds(60));
        Map<Integer, LongAdder> streams = new ConcurrentHashMap<>();
        Map<Integer, LongAdder> summaries = new ConcurrentHashMap<>();
        Map<Integer, LongAdder> changes = new ConcurrentHashMap<>();
        Queue<String> probeFailures = new ConcurrentLinkedQueue<>();
        LongAdder probes = new LongAdder();
        List<InputStream> open = new ArrayList<>();

        // 32 streams at once: 16 get in, the rest are told to come back later.
        List<CompletableFuture<HttpResponse<InputStream>>> asked = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            asked.add(api.stream("/api/v1/events/stream", TestApiKeys.VIEWER));
        }
        for (CompletableFuture<HttpResponse<InputStream>> stream : asked) {
            HttpResponse<InputStream> answer = stream.get(30, TimeUnit.SECONDS);
            streams.computeIfAbsent(answer.statusCode(), s -> new LongAdder()).increment();
            if (answer.statusCode() == 200) {
                open.add(answer.body());
            } else {
                assertThat(answer.headers().firstValue("Retry-After")).isPresent();
                answer.body().close();
            }
        }

        long deadline = System.nanoTime() + RUN.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(SUMMARIES + 2);
        List<Future<?>> callers = new ArrayList<>();
        String summary = "/api/v1/conntrack/entries/summary?groupBy=src,dst&top=10&netns=" + lab.name();
        for (int i = 0; i < SUMMARIES; i++) {
            callers.add(pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    count(summaries, status(() -> slow.send("GET", summary, TestApiKeys.VIEWER, null)));
                }
            }));
        }
        AtomicInteger value = new AtomicInteger(31);
        String sysctl = "/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout_stream?netns=" + lab.name();
        callers.add(pool.submit(() -> {
            while (System.nanoTime() < deadline) {
                String body = "{\"value\": " + (31 + value.getAndIncrement() % 30) + "}";
                count(changes, status(() -> api.send("PUT", sysctl, TestApiKeys.OPERATOR, body)));
                sleep(500);
            }
        }));
        HostApi probe = api.timeout(Duration.ofSeconds(2));
        callers.add(pool.submit(() -> {
            while (System.nanoTime() < deadline) {
                int status = status(() -> probe.send("GET", "/actuator/health/readiness", null, null));
                probes.increment();
                if (status != 200) {
                    probeFailures.add(String.valueOf(status));
                }
                sleep(250);
            }
        }));
        pool.shutdown();
        assertThat(pool.awaitTermination(RUN.toSeconds() + 90, TimeUnit.SECONDS)).as("the load ended").isTrue();
        for (Future<?> caller : callers) {
            caller.get(); // an answer that does not match the spec fails the test here
        }

        String big = "{\"value\": 60, \"reason\": \"" + "x".repeat(1024 * 1024) + "\"}";
        int tooLarge = status(() -> slow.send("PUT", sysctl, TestApiKeys.OPERATOR, big));
        boolean alive = agent.isAlive();
        for (InputStream stream : open) {
            stream.close();
        }
        System.out.printf("BoundedCallersLoadHostIT: %d entries; streams %s; summaries %s; changes %s; "
                        + "readiness %d asked, failed %s; 1 MB body %d; alive %s%n", lab.conntrackCount(), streams,
                summaries, changes, probes.sum(), probeFailures, tooLarge, alive);

        assertThat(alive).as("the agent never exits:\n" + (alive ? "" : agent.log())).isTrue();
        assertThat(streams.get(200).sum()).as("streams let in").isEqualTo(16);
        assertThat(streams.get(503).sum()).as("streams past the cap").isEqualTo(STREAMS - 16);
        assertThat(probeFailures).as("readiness answers 200 throughout").isEmpty();
        assertThat(probes.sum()).isGreaterThan(RUN.toSeconds() * 2);
        assertThat(changes.keySet()).as("every change succeeds").containsExactly(200);
        assertThat(summaries.keySet()).as("summaries: answered or told to retry").containsOnly(200, 429);
        assertThat(summaries.get(200)).as("summaries answered").isNotNull();
        assertThat(summaries.get(429)).as("summaries past the cap").isNotNull();
        assertThat(tooLarge).isEqualTo(413);
        assertThat(agent.log()).doesNotContain("OutOfMemoryError");
    }

    private interface Send {
        HttpResponse<String> send() throws IOException, InterruptedException;
    }

    /** The status of the answer; -1 for none (timed out, connection refused). */
    private static int status(Send send) {
        try {
            return send.send().statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -2;
        }
    }

    private static void count(Map<Integer, LongAdder> statuses, int status) {
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One datagram to each of {@code n} loopback addresses from 127.0.1.1 on: n distinct entries. */
    private static void spray(LabNamespace lab, int n) throws Exception {
        assertThat(TrafficGenerator.runIn(lab, Duration.ofSeconds(120), "udp-spray", String.valueOf(n), "7300",
                "127.0.1.1")).startsWith("SENT ");
    }
}
