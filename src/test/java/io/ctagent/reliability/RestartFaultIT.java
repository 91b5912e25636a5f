package io.ctagent.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ctagent.testsupport.AgentProcess;
import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;

/**
 * The packaged agent as a child process, killed with SIGKILL: a persisted change cut off at any
 * moment leaves the drop-in whole (old or new content, never torn), and NOTRACK rules that were
 * in the state file come back into the kernel when the agent starts again.
 */
class RestartFaultIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DROP_IN = "etc/sysctl.d/90-conntrack-agent.conf";
    private static final Pattern MAX_LINE = Pattern.compile("(?m)^net\\.netfilter\\.nf_conntrack_max\\s*=\\s*(\\d+)$");

    @TempDir
    Path temp;

    @Test
    void aPersistedChangeKilledInFlightLeavesTheOldOrTheNewFileNeverATornOne() throws Exception {
        FakeHost host = FakeHost.copyTo(Files.createDirectories(temp.resolve("host")));
        String[] args = agentArgs(host);
        Set<Long> sent = ConcurrentHashMap.newKeySet();
        int kills = 3;
        for (int round = 0; round < kills; round++) {
            String before = Files.exists(host.root().resolve(DROP_IN)) ? host.read(DROP_IN) : null;
            // The fake /proc is a regular file, which a kill between truncate and write leaves empty;
            // the kernel's /proc/sys write is one call. Only the drop-in is under test here.
            host.write("proc/sys/net/netfilter/nf_conntrack_max", "262144\n");
            AgentProcess agent = AgentProcess.start(temp, args);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger applied = new AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<String> refused = new java.util.concurrent.atomic.AtomicReference<>();
            Thread writer = new Thread(() -> {
                long value = 300_000 + ThreadLocalRandom.current().nextInt(100_000);
                while (!stop.get()) {
                    value += 1;
                    sent.add(value);
                    try {
                        HttpResponse<String> response = agent.api().send("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max",
                                TestApiKeys.OPERATOR, "{\"value\": " + value + ", \"persist\": true}");
                        if (response.statusCode() == 200) {
                            applied.incrementAndGet();
                        } else {
                            refused.set(response.statusCode() + " " + response.body());
                        }
                    } catch (Exception killed) {
                        return;
                    }
                }
            });
            writer.start();
            // Let a few changes through, then kill at a random moment while the writer keeps going.
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (applied.get() < 3 + round && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, 40));
            agent.kill9();
            stop.set(true);
            writer.join(30_000);
            assertThat(applied.get()).as("changes applied before the kill; last refusal: %s", refused.get()).isGreaterThan(0);

            String after = host.read(DROP_IN);
            assertWhole(after, sent);
            if (before != null) {
                assertThat(after.replaceAll("\\d{6}", "N")).isEqualTo(before.replaceAll("\\d{6}", "N"));
            }
        }
        // The survivor starts, and reports what the file holds.
        host.write("proc/sys/net/netfilter/nf_conntrack_max", "262144\n");
        try (AgentProcess agent = AgentProcess.start(temp, args)) {
            long inFile = persistedMax(host.read(DROP_IN));
            JsonNode view = JSON.readTree(agent.api().send("GET", "/api/v1/sysctls/net.netfilter.nf_conntrack_max",
                    TestApiKeys.VIEWER, null).body());
            assertThat(view.get("persistedValue").asLong()).isEqualTo(inFile);
        }
        try (var leftovers = Files.list(host.root().resolve("etc/sysctl.d"))) {
            // a temp file of an interrupted write may stay behind, but it is never the drop-in itself
            assertThat(leftovers.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".conf")))
                    .containsExactly("90-conntrack-agent.conf");
        }
    }

    @Test
    void rulesInTheStateFileAreBackInTheKernelAfterARestart() throws Exception {
        HostPrerequisites.require("ip", "iptables", "nft", "conntrack", "nsenter");
        Path state = temp.resolve("notrack.json");
        String[] args = {"--ctagent.host.mode=direct", "--ctagent.notrack.backend=nftables",
                "--ctagent.notrack.state-file=" + state, "--ctagent.notrack.reconcile-interval=0",
                "--ctagent.audit.path=" + temp.resolve("audit.jsonl")};
        try (LabNamespace lab = LabNamespace.create()) {
            String id;
            try (AgentProcess agent = AgentProcess.start(temp, args)) {
                HttpResponse<String> added = agent.api().send("POST", "/api/v1/notrack/rules?netns=" + lab.name(),
                        TestApiKeys.OPERATOR, "{\"direction\":\"OUTPUT\",\"protocol\":\"udp\",\"dports\":40101}");
                assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
                id = JSON.readTree(added.body()).get("after").get("id").asText();
                assertThat(lab.exec("nft", "list", "table", "inet", "conntrack_agent")).contains("ctagent:" + id);
                agent.kill9();
            }
            // What a reboot or `nft flush ruleset` does to the kernel; the state file stays.
            lab.exec("nft", "flush", "ruleset");
            assertThat(lab.exec("nft", "list", "ruleset")).doesNotContain("ctagent:" + id);

            try (AgentProcess agent = AgentProcess.start(temp, args)) {
                assertThat(lab.exec("nft", "list", "table", "inet", "conntrack_agent")).contains("ctagent:" + id);
                JsonNode rule = JSON.readTree(agent.api().send("GET", "/api/v1/notrack/rules/" + id + "?netns=" + lab.name(),
                        TestApiKeys.VIEWER, null).body());
                assertThat(rule.get("inKernel").asBoolean()).isTrue();
            }
        }
    }

    private static void assertWhole(String file, Set<Long> sent) {
        assertThat(file).as("the drop-in ends with a newline").endsWith("\n");
        Matcher line = MAX_LINE.matcher(file);
        assertThat(line.find()).as("one max line in:\n%s", file).isTrue();
        assertThat(sent).as("the persisted value is one that was sent").contains(Long.parseLong(line.group(1)));
        assertThat(line.find()).as("only one max line in:\n%s", file).isFalse();
    }

    private static long persistedMax(String file) {
        Matcher line = MAX_LINE.matcher(file);
        assertThat(line.find()).isTrue();
        return Long.parseLong(line.group(1));
    }

    private String[] agentArgs(FakeHost host) {
        return new String[] {
                "--ctagent.host.proc-root=" + host.proc(), "--ctagent.host.sys-root=" + host.sys(),
                "--ctagent.host.rootfs=" + host.root(), "--ctagent.host.mode=direct",
                "--ctagent.audit.path=" + temp.resolve("audit.jsonl"),
                "--ctagent.notrack.state-file=" + temp.resolve("notrack-fake.json"),
                "--ctagent.monitor.kmsg-path=" + temp.resolve("no-kmsg")};
    }
}
