package io.ctagent.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The packaged jar (target/conntrack-agent-*.jar) run as a child process, so a test can kill it
 * with SIGKILL and start it again on the same files. Every instance gets the test keys.
 */
public final class AgentProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;
    /** The lab namespace the agent runs in, or null for this machine's own. */
    private final String netns;

    private AgentProcess(Process process, int port, Path log, String netns) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.netns = netns;
    }

    /**
     * Starts the jar inside a lab namespace ({@code ip netns exec}), on this port, and waits until it is
     * ready; every request to it then originates inside that namespace too (curl over its 127.0.0.1).
     */
    public static AgentProcess startIn(String netns, int port, Path logDir, String... arguments) {
        List<String> launcher = List.of(HostPrerequisites.which("ip"), "netns", "exec", netns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dspring.aot.enabled=true",
                "-XX:+UseSerialGC", "-Xmx96m", "-XX:TieredStopAtLevel=1", "-jar", jar().toString());
        return launch(logDir, launcher, Map.of(), netns, port, arguments);
    }

    /**
     * Starts the jar with these --key=value arguments and waits until readiness is UP. In AOT mode,
     * as shipped (bin/conntrack-agent, the image, the chart); C1 only, for the tests' sake.
     */
    public static AgentProcess start(Path logDir, String... arguments) {
        return launch(logDir, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dspring.aot.enabled=true", "-XX:+UseSerialGC", "-Xmx96m", "-XX:TieredStopAtLevel=1",
                "-jar", jar().toString()), Map.of(), arguments);
    }

    /**
     * Starts the agent inside a lab namespace with this launcher, which must enter the namespace itself (e.g.
     * {@code ip netns exec NAME runuser -u USER -- java -jar ...}), on this port, and waits until it is ready.
     */
    public static AgentProcess launchIn(String netns, int port, Path logDir, List<String> launcher,
                                        String... arguments) {
        return launch(logDir, launcher, Map.of(), netns, port, arguments);
    }

    /** Starts the agent with this launcher (e.g. bin/conntrack-agent) and environment, and waits until ready. */
    public static AgentProcess launch(Path logDir, List<String> launcher, Map<String, String> environment,
                                      String... arguments) {
        return launch(logDir, launcher, environment, null, freePort(), arguments);
    }

    private static AgentProcess launch(Path logDir, List<String> launcher, Map<String, String> environment,
                                       String netns, int port, String... arguments) {
        List<String> argv = new ArrayList<>(launcher);
        // 127.0.0.1 unless the test binds elsewhere (LifelineLocalOnlyHostIT: every address of a lab namespace).
        if (Stream.of(arguments).noneMatch(argument -> argument.startsWith("--server.address="))) {
            argv.add("--server.address=127.0.0.1");
        }
        argv.add("--server.port=" + port);
        String[] keys = TestApiKeys.properties();
        for (String key : keys) {
            argv.add("--" + key);
        }
        // Most agents run in this machine's own namespace, where the lifeline would NOTRACK the host's own
        // traffic to the port: off unless the test says otherwise (IncidentLifelineHostIT, in a lab namespace).
        if (Stream.of(arguments).noneMatch(argument -> argument.startsWith("--ctagent.lifeline.enabled="))) {
            argv.add("--ctagent.lifeline.enabled=false");
        }
        argv.addAll(List.of(arguments));
        try {
            Path log = Files.createTempFile(logDir, "agent-", ".log");
            ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            AgentProcess agent = new AgentProcess(process, port, log, netns);
            agent.awaitReady(Duration.ofSeconds(120));
            return agent;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path jar() {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("conntrack-agent-.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().contains("plain"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no jar in target/: run ./mvnw package"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the agent is still running (it exits on its own only when it fails, e.g. out of memory). */
    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    /**
     * How a test talks to this agent (spec-checked, with the test keys); to one inside a lab namespace from
     * inside that namespace too.
     */
    public HostApi api() {
        return netns == null ? new HostApi(port) : HostApi.inNamespace(netns, port);
    }

    /** SIGKILL: no shutdown hook, no flush, no cleanup. */
    public void kill9() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the agent did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the agent exited " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<String> ready = api().timeout(Duration.ofSeconds(2))
                        .send("GET", "/actuator/health/readiness", null, null);
                if (ready.statusCode() == 200 && ready.body().contains("UP")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException("the agent was not ready in " + timeout + ":\n" + log());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
