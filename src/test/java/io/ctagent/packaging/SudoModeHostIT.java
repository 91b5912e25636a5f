package io.ctagent.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.KernelValues;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;

/**
 * The packaged jar run as an unprivileged user in sudo mode with the shipped sudoers file, as
 * the systemd unit runs it: an allowed change goes through `sudo -n`; a command the file does not
 * allow is refused at once and answered with a problem that says what to do, never a hang.
 */
class SudoModeHostIT {

    private static final String USER = "ctagent-it";
    private static final Path SUDOERS = Path.of("/etc/sudoers.d/zz-ctagent-it");
    private static final String KEY = "net.netfilter.nf_conntrack_tcp_timeout_close";

    private static Process agent;
    private static Path work;
    private static int port;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startAgentAsUnprivilegedUser() throws Exception {
        HostPrerequisites.require("sudo", "sysctl", "useradd", "runuser", "visudo");
        if (!userExists()) {
            LabNamespace.run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER);
        }
        String shipped = Files.readString(Path.of("packaging/sudoers.d/conntrack-agent"));
        Files.writeString(SUDOERS, shipped.replace("conntrack-agent", USER)
                .replace("/etc/sysctl.d/.90-" + USER, "/etc/sysctl.d/.90-conntrack-agent")
                .replace("/etc/sysctl.d/90-" + USER, "/etc/sysctl.d/90-conntrack-agent")
                .replace("/etc/modprobe.d/." + USER, "/etc/modprobe.d/.conntrack-agent")
                .replace("/etc/modprobe.d/" + USER, "/etc/modprobe.d/conntrack-agent"));
        Files.setPosixFilePermissions(SUDOERS, PosixFilePermissions.fromString("r--r-----"));
        LabNamespace.run("visudo", "-c", "-f", SUDOERS.toString());

        work = Files.createTempDirectory("ctagent-sudo-it");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        port = freePort();
        List<String> argv = new ArrayList<>(List.of(HostPrerequisites.which("runuser"), "-u", USER, "--",
                javaBinary(), "-jar", jar().toString(),
                "--server.port=" + port,
                "--ctagent.host.mode=sudo",
                // This machine's own namespace: the host's firewall stays as it was.
                "--ctagent.lifeline.enabled=false",
                "--ctagent.audit.path=" + work.resolve("audit.jsonl"),
                "--ctagent.notrack.state-file=" + work.resolve("notrack.json"),
                // A persist file the shipped sudoers does not name: its write must be refused.
                "--ctagent.sysctl.persist-file=/etc/sysctl.d/91-not-in-sudoers.conf"));
        String[] keys = TestApiKeys.properties();
        for (String key : keys) {
            argv.add("--" + key);
        }
        agent = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(work.resolve("agent.log").toFile()).start();
        awaitReady();
    }

    @AfterAll
    static void stopAndClean() throws Exception {
        if (agent != null) {
            agent.destroy();
            if (!agent.waitFor(20, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
        Files.deleteIfExists(SUDOERS);
        Files.deleteIfExists(Path.of("/etc/sysctl.d/91-not-in-sudoers.conf"));
        if (userExists()) {
            LabNamespace.run("userdel", USER);
        }
    }

    @Test
    void theAgentRunsUnprivilegedInSudoMode() throws Exception {
        HttpResponse<String> info = send("GET", "/api/v1/agent", null);

        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(info.body()).contains("\"mode\":\"SUDO\"", "\"root\":false");
    }

    @Test
    void theRootOnlyConntrackTableIsReadThroughSudo() throws Exception {
        HttpResponse<String> summary = send("GET", "/api/v1/conntrack/entries/summary?groupBy=protocol", null);

        assertThat(summary.statusCode()).as(summary.body()).isEqualTo(200);
        assertThat(summary.body()).contains("\"total\"");
    }

    @Test
    void anAllowedChangeGoesThroughSudo() throws Exception {
        long original = KernelValues.read(KEY);
        long changed = original == 11 ? 12 : 11;
        try {
            HttpResponse<String> put = send("PUT", "/api/v1/sysctls/" + KEY, "{\"value\": " + changed + "}");

            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            assertThat(put.body()).contains("\"applied\":true", "/usr/bin/sudo", "-n", "/usr/sbin/sysctl");
            assertThat(KernelValues.read(KEY)).isEqualTo(changed);
        } finally {
            LabNamespace.run("sysctl", "-w", KEY + "=" + original);
        }
    }

    @Test
    void aCommandOutsideTheSudoersFileIsAProblemNotAHang() throws Exception {
        long original = KernelValues.read(KEY);
        long started = System.nanoTime();
        try {
            HttpResponse<String> put = send("PUT", "/api/v1/sysctls/" + KEY,
                    "{\"value\": " + (original + 1) + ", \"persist\": true}");

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(put.statusCode()).as(put.body()).isGreaterThanOrEqualTo(500);
            assertThat(put.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(put.body()).contains("sudo").doesNotContain("Exception", "\tat ");
            assertThat(Path.of("/etc/sysctl.d/91-not-in-sudoers.conf")).doesNotExist();
        } finally {
            LabNamespace.run("sysctl", "-w", KEY + "=" + original);
        }
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header(TestApiKeys.HEADER, TestApiKeys.OPERATOR);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type",
                    "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(agent.isAlive()).as("agent exited: " + Files.readString(work.resolve("agent.log"))).isTrue();
            try {
                HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("agent not ready: " + Files.readString(work.resolve("agent.log")));
    }

    private static boolean userExists() throws IOException {
        return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(line -> line.startsWith(USER + ":"));
    }

    private static Path jar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("conntrack-agent-.*\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("target/conntrack-agent-*.jar missing: "
                            + "the sudo test runs after 'package'"));
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
