package io.ctagent.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.testsupport.AgentProcess;
import io.ctagent.testsupport.TestApiKeys;

/**
 * bin/conntrack-agent as an operator runs it: --prepare makes the class-data sharing archive with
 * the training run, and a start maps that archive and runs the bean set fixed at build time (AOT),
 * refusing settings that AOT would silently ignore.
 */
class LaunchScriptIT {

    private static final Path SCRIPT = Path.of("bin/conntrack-agent").toAbsolutePath();

    @TempDir
    static Path dir;

    static Map<String, String> environment;

    @BeforeAll
    static void prepare() throws Exception {
        environment = Map.of("CTAGENT_JAR", AgentProcess.jar().toAbsolutePath().toString(),
                "CTAGENT_CDS_DIR", dir.resolve("cds").toString());
        Run run = run(List.of(SCRIPT.toString(), "--prepare"), 300);

        assertThat(run.exit()).as(run.output()).isZero();
        Path archive = dir.resolve("cds/conntrack-agent.jsa");
        assertThat(archive).exists();
        // The training run goes past the refreshed context: Spring, Tomcat and the first requests.
        assertThat(Files.size(archive)).isGreaterThan(20L << 20);
    }

    @Test
    void aStartMapsTheArchiveRunsTheAotBeansAndServes() throws Exception {
        try (AgentProcess agent = AgentProcess.launch(dir, List.of(SCRIPT.toString()), environment, hostArguments())) {
            assertThat(Files.readString(Path.of("/proc/" + agent.pid() + "/maps")))
                    .contains(dir.resolve("cds/conntrack-agent.jsa").toString());
            assertThat(agent.log()).contains("Starting AOT-processed ConntrackAgentApplication");
            assertThat(agent.api().send("GET", "/api/v1/conntrack/usage", TestApiKeys.VIEWER, null).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void aSettingThatAotWouldIgnoreStopsTheStartAndSaysWhy() throws Exception {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString(), "--server.address=127.0.0.1",
                "--server.port=0", "--management.server.port=0"));
        command.addAll(List.of(hostArguments()));
        Run run = run(command, 120);

        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("management.server.port (set in commandLineArgs)")
                .contains("-Dspring.aot.enabled=false");
    }

    private static String[] hostArguments() {
        return new String[] {
                "--ctagent.host.mode=dry-run",
                "--ctagent.audit.path=" + dir.resolve("audit.jsonl"),
                "--ctagent.notrack.state-file=" + dir.resolve("notrack.json"),
        };
    }

    record Run(int exit, String output) {
    }

    private static Run run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, "run-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(command + " took more than " + timeoutSeconds + " s:\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
        return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
