package io.ctagent.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
 * Sudo mode where sudo refuses, as it does without the shipped sudoers file: a `sudo` that says
 * "a password is required" and exits 1. A change answers at once with a problem that says sudo
 * refused and what to install, and the host (a fake tree) is unchanged.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(HostApi.class)
class SudoRefusedFaultIT {

    static final Path DIR = FakeToolsFaultIT.tempDir("ctagent-sudo-refused");
    static final FakeHost HOST = FakeHost.copyTo(DIR.resolve("host"));
    static final String MAX = "proc/sys/net/netfilter/nf_conntrack_max";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        TestApiKeys.register(registry);
        Path bin = Files.createDirectories(DIR.resolve("bin"));
        FakeToolsFaultIT.tool(bin, "sudo", "#!/bin/sh\necho 'sudo: a password is required' >&2\nexit 1\n");
        for (String tool : new String[] {"sysctl", "cat", "dd", "mv", "nsenter", "ip", "conntrack"}) {
            String real = HostPrerequisites.which(tool);
            if (real != null) {
                Files.createSymbolicLink(bin.resolve(tool), Path.of(real));
            }
        }
        registry.add("ctagent.host.proc-root", () -> HOST.proc().toString());
        registry.add("ctagent.host.sys-root", () -> HOST.sys().toString());
        registry.add("ctagent.host.rootfs", () -> HOST.root().toString());
        registry.add("ctagent.host.mode", () -> "sudo");
        registry.add("ctagent.host.tool-path", bin::toString);
        registry.add("ctagent.audit.path", () -> DIR.resolve("audit.jsonl").toString());
        registry.add("ctagent.notrack.state-file", () -> DIR.resolve("notrack.json").toString());
        registry.add("ctagent.monitor.kmsg-path", () -> DIR.resolve("no-kmsg").toString());
    }

    @Autowired
    HostApi api;

    @Test
    void aRefusingSudoIsAClearProblemAtOnceAndNothingChanges() throws Exception {
        String before = HOST.read(MAX);
        long start = System.nanoTime();
        HttpResponse<String> change = api.send("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max",
                TestApiKeys.OPERATOR, "{\"value\": 300000}");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(change.statusCode()).as(change.body()).isBetween(400, 599).isNotEqualTo(500);
        assertThat(change.body()).contains("sudo").contains("password is required");
        assertThat(HOST.read(MAX)).isEqualTo(before);
        api.get("/api/v1/conntrack/usage");
    }
}
