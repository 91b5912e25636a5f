package io.ctagent.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.TestApiKeys;

/**
 * Host tools that misbehave, on a fake host tree: the tool path holds only a `nsenter` that
 * hangs (so every per-namespace read or change hangs), and no nft or iptables at all. The
 * command timeout (1 s) must fire and answer a problem, the agent must keep serving, and a
 * feature whose tool was missing at start-up answers 503 naming it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(HostApi.class)
class FakeToolsFaultIT {

    static final Path DIR = tempDir("ctagent-fake-tools");
    static final FakeHost HOST = FakeHost.copyTo(DIR.resolve("host"));
    static final Path PIDS = DIR.resolve("hung.pids");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        TestApiKeys.register(registry);
        Path bin = Files.createDirectories(DIR.resolve("bin"));
        tool(bin, "nsenter", "#!/bin/sh\necho $$ >> " + PIDS + "\nexec sleep 61\n");
        // Present so that per-namespace reads and writes get as far as running nsenter.
        for (String tool : new String[] {"cat", "sysctl"}) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of(HostPrerequisites.which(tool)));
        }
        Files.createFile(HOST.root().resolve("run/netns/stuck"));
        registry.add("ctagent.host.proc-root", () -> HOST.proc().toString());
        registry.add("ctagent.host.sys-root", () -> HOST.sys().toString());
        registry.add("ctagent.host.rootfs", () -> HOST.root().toString());
        registry.add("ctagent.host.mode", () -> "direct");
        registry.add("ctagent.host.tool-path", bin::toString);
        registry.add("ctagent.host.command-timeout", () -> "1s");
        registry.add("ctagent.audit.path", () -> DIR.resolve("audit.jsonl").toString());
        registry.add("ctagent.notrack.state-file", () -> DIR.resolve("notrack.json").toString());
        registry.add("ctagent.monitor.kmsg-path", () -> DIR.resolve("no-kmsg").toString());
    }

    @BeforeAll
    static void linux() {
        HostPrerequisites.require("sleep", "cat", "sysctl");
    }

    @Autowired
    HostApi api;

    @Test
    void aHangingCommandTimesOutWithAProblemAndTheAgentKeepsServing() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> change = api.send("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout?netns=stuck",
                TestApiKeys.OPERATOR, "{\"value\": 31}");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(change.statusCode()).as(change.body()).isBetween(500, 504).isNotEqualTo(500);
        assertThat(change.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(change.body()).contains("Timed out after").contains("the command was killed");
        assertThat(took).as("answered after the 1 s timeout, not before, and soon")
                .isGreaterThanOrEqualTo(Duration.ofMillis(900)).isLessThan(Duration.ofSeconds(15));

        api.get("/api/v1/conntrack/usage");
        api.get("/actuator/health/liveness");
        // The timeout killed the hung process instead of leaving it behind.
        for (String pid : Files.readAllLines(PIDS)) {
            awaitGone(Path.of("/proc", pid.strip()));
        }
    }

    @Test
    void aToolMissingAtStartUpIsA503ThatNamesIt() throws Exception {
        HttpResponse<String> rule = api.send("POST", "/api/v1/notrack/rules", TestApiKeys.OPERATOR,
                "{\"direction\":\"OUTPUT\",\"protocol\":\"udp\",\"dports\":53}");

        assertThat(rule.statusCode()).as(rule.body()).isEqualTo(503);
        assertThat(rule.body()).containsAnyOf("nft", "iptables");
        api.get("/api/v1/conntrack/usage");
    }

    static void awaitGone(Path proc) throws InterruptedException {
        for (int i = 0; i < 100 && Files.exists(proc); i++) {
            Thread.sleep(50);
        }
        assertThat(proc).as("the hung command was killed").doesNotExist();
    }

    static void tool(Path bin, String name, String script) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
