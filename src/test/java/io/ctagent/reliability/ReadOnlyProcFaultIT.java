package io.ctagent.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;

/**
 * /proc/sys read-only, as in a container that is not privileged: the fake /proc lives on a tmpfs
 * remounted read-only (file modes alone do not stop root). A change answers a clear problem and
 * nothing is changed, the persisted drop-in included.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(HostApi.class)
class ReadOnlyProcFaultIT {

    static final Path DIR = FakeToolsFaultIT.tempDir("ctagent-ro-proc");
    static final Path PROC = DIR.resolve("proc");
    static FakeHost host;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        HostPrerequisites.require("mount", "umount", "cp");
        TestApiKeys.register(registry);
        host = FakeHost.copyTo(DIR.resolve("host"));
        Files.createDirectories(PROC);
        LabNamespace.run("mount", "-t", "tmpfs", "-o", "size=4m", "ctagent-ro-proc", PROC.toString());
        LabNamespace.run("cp", "-a", host.proc() + "/.", PROC.toString());
        LabNamespace.run("mount", "-o", "remount,ro", PROC.toString());
        registry.add("ctagent.host.proc-root", PROC::toString);
        registry.add("ctagent.host.sys-root", () -> host.sys().toString());
        registry.add("ctagent.host.rootfs", () -> host.root().toString());
        registry.add("ctagent.host.mode", () -> "direct");
        registry.add("ctagent.audit.path", () -> DIR.resolve("audit.jsonl").toString());
        registry.add("ctagent.notrack.state-file", () -> DIR.resolve("notrack.json").toString());
        registry.add("ctagent.monitor.kmsg-path", () -> DIR.resolve("no-kmsg").toString());
    }

    @AfterAll
    static void unmount() {
        LabNamespace.run("umount", PROC.toString());
    }

    @Autowired
    HostApi api;

    @Test
    void aChangeOnAReadOnlyProcSysIsAClearProblemAndChangesNothing() throws Exception {
        Path max = PROC.resolve("sys/net/netfilter/nf_conntrack_max");
        String before = Files.readString(max);
        HttpResponse<String> change = api.send("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max",
                TestApiKeys.OPERATOR, "{\"value\": 300000, \"persist\": true}");

        assertThat(change.statusCode()).as(change.body()).isBetween(400, 599).isNotEqualTo(500);
        assertThat(change.body()).containsAnyOf("read-only", "not writable", "Read-only");
        assertThat(Files.readString(max)).isEqualTo(before);
        assertThat(host.root().resolve("etc/sysctl.d/90-conntrack-agent.conf")).doesNotExist();
    }
}
