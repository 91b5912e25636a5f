package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.util.FileSystemUtils;

import io.ctagent.hostagent.CommandRunner;
import io.ctagent.hostagent.HostMode;
import io.ctagent.testsupport.FakeCommandRunner;
import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.TestApiKeys;

/**
 * The NOTRACK breadth and set-coverage guards over HTTP with real API keys: an operator gets 400
 * naming force with the measure, 403 with force; an admin with force gets the rule in, with a
 * warning. The agent in direct mode on a fake host tree, nft answered by FakeKernel.
 */
@SpringBootTest
@AutoConfigureMockMvc
class NotrackBreadthApiTest {

    static final Path DIR = tempDir();
    static FakeCommandRunner runner;

    @TestConfiguration
    static class FakeNft {
        @Bean
        @Primary
        CommandRunner fakeNft() {
            runner = new FakeCommandRunner(FakeCommandRunner.properties(DIR, HostMode.DIRECT, "nft", "iptables",
                    "ip6tables", "nsenter", "cat", "conntrack", "sysctl"));
            new FakeKernel(runner);
            return runner;
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        FakeHost.register(registry, DIR, "direct");
        FakeCommandRunner.properties(DIR, HostMode.DIRECT, "nft", "iptables", "ip6tables", "nsenter", "cat",
                "conntrack", "sysctl");
        registry.add("ctagent.host.tool-path", () -> DIR.resolve("bin").toString());
        registry.add("ctagent.notrack.backend", () -> "nftables");
        registry.add("ctagent.notrack.state-file", () -> DIR.resolve("var/notrack.json").toString());
        registry.add("ctagent.notrack.reconcile-interval", () -> "0");
        registry.add("ctagent.lifeline.enabled", () -> "false");
        registry.add("ctagent.audit.path", () -> DIR.resolve("audit/audit.jsonl").toString());
        TestApiKeys.register(registry);
    }

    @Autowired
    MockMvc mvc;

    @AfterAll
    static void removeTheFakeHost() throws IOException {
        FileSystemUtils.deleteRecursively(DIR);
    }

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("ctagent-breadth-api");
            FakeHost.copyTo(dir);
            Files.createDirectories(dir.resolve("audit"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ResultActions add(String key, String body) throws Exception {
        return mvc.perform(post("/api/v1/notrack/rules").header(TestApiKeys.HEADER, key)
                .contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private List<FakeCommandRunner.Call> changes() {
        return runner.calls(call -> call.has("-f", "-"));
    }

    @Test
    void everyPortIsRefusedForAnOperatorWithAndWithoutForceAndAcceptedForAnAdminWithForce() throws Exception {
        String everyPort = "{\"direction\": \"OUTPUT\", \"protocol\": \"udp\", \"dports\": \"1-65535\"";
        int before = changes().size();
        add(TestApiKeys.OPERATOR, everyPort + "}")
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value("force"))
                .andExpect(jsonPath("$.measure").value("breadth"));
        add(TestApiKeys.OPERATOR, everyPort + ", \"force\": true}")
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.measure").value("breadth"));
        assertThat(changes()).hasSize(before);

        String answer = add(TestApiKeys.ADMIN, everyPort + ", \"force\": true}")
                .andExpect(status().isCreated())
                .andReturn().getResponse().getContentAsString();
        assertThat(answer).contains("Forced past a guard: Breadth:");
        assertThat(changes()).hasSize(before + 1);
    }

    @Test
    void theUplinkIsRefusedAndLoopbackIsNot() throws Exception {
        add(TestApiKeys.OPERATOR, "{\"direction\": \"PREROUTING\", \"iif\": \"eth0\", \"force\": true}")
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.measure").value("breadth"));
        add(TestApiKeys.OPERATOR, "{\"direction\": \"PREROUTING\", \"iif\": \"lo\"}")
                .andExpect(status().isCreated());
    }

    @Test
    void slicesPastThePortAllowanceAreSetCoverageForAnOperatorAndPassForAnAdminWithForce() throws Exception {
        add(TestApiKeys.OPERATOR, "{\"direction\": \"PREROUTING\", \"protocol\": \"tcp\", \"dports\": \"1-1024\"}")
                .andExpect(status().isCreated());
        String next = "{\"direction\": \"PREROUTING\", \"protocol\": \"tcp\", \"dports\": \"1025-2048\"";
        add(TestApiKeys.OPERATOR, next + "}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("force"))
                .andExpect(jsonPath("$.measure").value("set-coverage"));
        add(TestApiKeys.OPERATOR, next + ", \"force\": true}")
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.measure").value("set-coverage"));
        add(TestApiKeys.ADMIN, next + ", \"force\": true}")
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.warnings[0]").value(org.hamcrest.Matchers.startsWith(
                        "Forced past a guard: Set coverage:")));
    }
}
