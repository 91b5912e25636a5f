package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.KernelValues;
import io.ctagent.testsupport.TestApiKeys;
import tools.jackson.databind.JsonNode;

/**
 * Real /proc and /sys, a temp directory as the rootfs: the persist files are written where a host's
 * /etc would be, and the running values are persisted as they are (so the kernel is not changed).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(HostApi.class)
class SysctlPersistHostIT {

    private static final Path ROOTFS;
    private static final AuditTrail AUDIT = AuditTrail.inTempDir("ctagent-persist-hostit-audit");

    static {
        try {
            ROOTFS = Files.createTempDirectory("ctagent-rootfs");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void rootfs(DynamicPropertyRegistry registry) {
        registry.add("ctagent.host.rootfs", ROOTFS::toString);
        registry.add("ctagent.host.mode", () -> "direct");
        TestApiKeys.register(registry);
        AUDIT.register(registry);
    }

    @Autowired
    HostApi api;

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("sysctl");
    }

    @Test
    void persistsTheRunningValuesUnderTheTempRootfsWithoutTouchingTheKernel() throws Exception {
        long udp = KernelValues.read("net.netfilter.nf_conntrack_udp_timeout");
        long buckets = KernelValues.read("net.netfilter.nf_conntrack_buckets");
        Files.createDirectories(ROOTFS.resolve("etc/sysctl.d"));
        Files.writeString(ROOTFS.resolve("etc/sysctl.d/90-conntrack-agent.conf"), "# written by hand\n");
        Files.writeString(ROOTFS.resolve("etc/sysctl.conf"), "net.netfilter.nf_conntrack_udp_timeout = 7\n");

        JsonNode change = api.expect("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout",
                "{\"value\": " + udp + ", \"persist\": true}", 200);
        assertThat(change.get("result").asText()).isEqualTo("APPLIED");
        AuditTrail.Change audited = AUDIT.change(change.get("auditId").asText());
        assertThat(audited.result()).isEqualTo("APPLIED");
        assertThat(audited.outcome().at("/after/dropIn/net.netfilter.nf_conntrack_udp_timeout").asLong()).isEqualTo(udp);
        assertThat(audited.outcome().get("commands")).hasSize(2);
        assertThat(change.get("commands")).hasSize(2);
        assertThat(change.get("warnings").toString()).contains("/etc/sysctl.conf");

        JsonNode table = api.expect("PUT", "/api/v1/hashsize", "{\"value\": " + buckets + ", \"persist\": true}", 200);
        assertThat(table.get("result").asText()).isEqualTo("APPLIED");
        assertThat(AUDIT.change(table.get("auditId").asText()).result()).isEqualTo("APPLIED");

        String dropIn = Files.readString(ROOTFS.resolve("etc/sysctl.d/90-conntrack-agent.conf"));
        assertThat(dropIn).isEqualTo("# written by hand\nnet.netfilter.nf_conntrack_udp_timeout = " + udp
                + "\nnet.netfilter.nf_conntrack_buckets = " + buckets + "\n");
        assertThat(ROOTFS.resolve("etc/sysctl.d/.90-conntrack-agent.conf.ctagent-tmp")).doesNotExist();
        boolean builtIn = !Files.exists(Path.of("/sys/module/nf_conntrack/initstate"));
        assertThat(Files.exists(ROOTFS.resolve("etc/modprobe.d/conntrack-agent.conf"))).isEqualTo(!builtIn);

        JsonNode view = api.expect("GET", "/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout", null, 200);
        assertThat(view.get("persistedValue").asLong()).isEqualTo(7);
        assertThat(view.get("persistedIn").asText()).isEqualTo("/etc/sysctl.conf");
        assertThat(api.expect("GET", "/api/v1/hashsize", null, 200).get("persistedValue").asLong()).isEqualTo(buckets);
        assertThat(change.get("before")).isEqualTo(change.get("after"));
        assertThat(KernelValues.read("net.netfilter.nf_conntrack_udp_timeout")).isEqualTo(udp);
    }
}
