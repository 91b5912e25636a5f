package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real kernel, a lab namespace: the NOTRACK shapes that untrack nearly everything without naming
 * "everything" (every port, all but one port, the uplink, two /1 halves with every port, slices of
 * ports) are refused for an operator and leave the lab's ruleset as it was; the narrow rules
 * operators need go in. The lab has no uplink; eth0 is only a name in the rule, which is refused
 * before anything reaches the kernel.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"ctagent.host.mode=direct", "ctagent.notrack.reconcile-interval=0",
                "ctagent.notrack.backend=nftables"})
@Import(HostApi.class)
class NotrackBreadthHostIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path DIR = tempDir();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestApiKeys.register(registry);
        registry.add("ctagent.notrack.state-file", () -> DIR.resolve("notrack.json").toString());
        registry.add("ctagent.audit.path", () -> DIR.resolve("audit.jsonl").toString());
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("ctagent-breadth-hostit");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void removeTheStateAndAudit() throws IOException {
        FileSystemUtils.deleteRecursively(DIR);
    }

    @Autowired
    HostApi api;

    private LabNamespace lab;

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "nft", "nsenter");
    }

    @BeforeEach
    void createLab() {
        lab = LabNamespace.create();
    }

    @AfterEach
    void removeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    private String rules() {
        return "/api/v1/notrack/rules?netns=" + lab.name();
    }

    private String ruleset() {
        return lab.execStdout("nft", "list", "ruleset");
    }

    private void refused(String body, String measure) throws Exception {
        String before = ruleset();
        HttpResponse<String> refused = api.send("POST", rules(), TestApiKeys.OPERATOR, body);
        assertThat(refused.statusCode()).as(body + " " + refused.body()).isEqualTo(400);
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.get("field").asString()).isEqualTo("force");
        assertThat(problem.get("measure").asString()).as(body).isEqualTo(measure);
        HttpResponse<String> forced = api.send("POST", rules(), TestApiKeys.OPERATOR,
                body.replace("}", ", \"force\": true}"));
        assertThat(forced.statusCode()).as(body + " " + forced.body()).isEqualTo(403);
        assertThat(ruleset()).as("the lab's ruleset after " + body).isEqualTo(before);
    }

    private void created(String body) throws Exception {
        HttpResponse<String> answer = api.send("POST", rules(), TestApiKeys.OPERATOR, body);
        assertThat(answer.statusCode()).as(body + " " + answer.body()).isEqualTo(201);
    }

    @Test
    void theWideShapesAreRefusedAndTheLabsRulesetStaysAsItWas() throws Exception {
        for (String wide : List.of("{\"protocol\": \"tcp\", \"sports\": \"1-65535\", \"dports\": \"1-65535\"}",
                "{\"protocol\": \"tcp\", \"dports\": \"2-65535\"}",
                "{\"protocol\": \"udp\", \"sports\": \"1-65535\", \"dports\": \"1-65535\"}",
                "{\"protocol\": \"tcp\", \"src\": \"0.0.0.0/1\", \"dports\": \"1-65535\"}",
                "{\"protocol\": \"tcp\", \"src\": \"128.0.0.0/1\", \"dports\": \"1-65535\"}",
                "{\"direction\": \"PREROUTING\", \"iif\": \"eth0\"}")) {
            refused(wide, "breadth");
        }
    }

    @Test
    void slicesOfPortsGoInUpToTheAllowanceAndNoFurther() throws Exception {
        created("{\"protocol\": \"tcp\", \"dports\": \"1-1024\", \"comment\": \"first slice\"}");
        assertThat(ruleset()).contains("tcp dport 1-1024");
        refused("{\"protocol\": \"tcp\", \"dports\": \"1025-2048\"}", "set-coverage");
    }

    @Test
    void narrowRulesGoIntoTheKernel() throws Exception {
        created("{\"protocol\": \"udp\", \"dports\": 53}");
        created("{\"protocol\": \"tcp\", \"dports\": \"8000-8999\"}");
        created("{\"protocol\": \"tcp\", \"src\": \"127.0.0.0/16\", \"dports\": \"1-65535\"}");
        created("{\"direction\": \"PREROUTING\", \"iif\": \"lo\"}");
        assertThat(ruleset()).contains("udp dport 53", "tcp dport 8000-8999", "127.0.0.0/16", "iifname \"lo\"");
    }
}
