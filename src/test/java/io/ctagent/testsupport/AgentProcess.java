package io.ctagent.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

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

    /** What a request inside the namespace got: status 0 when it timed out. */
    public record Answer(int status, String body, long millis) {
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

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** A GET from inside the agent's namespace (curl), given up after {@code timeout}. */
    public Answer getInside(String path, String key, Duration timeout) {
        return inside("GET", path, key, timeout);
    }

    /** A request without body from inside the agent's namespace (curl), given up after {@code timeout}. */
    public Answer inside(String method, String path, String key, Duration timeout) {
        List<String> argv = List.of(HostPrerequisites.which("ip"), "netns", "exec", netns,
                HostPrerequisites.which("curl"), "-s", "-X", method, "-o", "-", "-w", "\n%{http_code}", "--max-time",
                String.format(java.util.Locale.ROOT, "%.3f", timeout.toMillis() / 1000.0), "-H",
                TestApiKeys.HEADER + ": " + key, uri(path).toString());
        long start = System.nanoTime();
        try {
            Process curl = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            curl.getOutputStream().close();
            String out = new String(curl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!curl.waitFor(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
                curl.destroyForcibly();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            int newline = out.lastIndexOf('\n');
            int status = newline < 0 ? 0 : Integer.parseInt(out.substring(newline + 1).strip());
            return new Answer(status, newline < 0 ? out : out.substring(0, newline), millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends a request with the given key; the body is JSON or null. */
    public HttpResponse<String> send(String method, String path, String key, String body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header(TestApiKeys.HEADER, key).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        try {
            return SpecValidation.check(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
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
                if (netns != null) {
                    Answer ready = getInside("/actuator/health/readiness", "", Duration.ofSeconds(2));
                    if (ready.status() == 200 && ready.body().contains("UP")) {
                        return;
                    }
                } else {
                    HttpResponse<String> response = SpecValidation.check(HTTP.send(HttpRequest.newBuilder(
                            uri("/actuator/health/readiness")).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString()));
                    if (response.statusCode() == 200 && response.body().contains("UP")) {
                        return;
                    }
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
