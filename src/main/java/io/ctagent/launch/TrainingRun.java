package io.ctagent.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import io.ctagent.security.HashKeyCommand;

/**
 * {@code java -XX:ArchiveClassesAtExit=... -jar conntrack-agent.jar --cds-training}: the training
 * run for class-data sharing (bin/conntrack-agent --prepare, the image build). Starts the agent as
 * a dry run on a free loopback port, sends it what an agent is asked in its first seconds (the
 * probes, reads with a key, refusals) and stops, so the archive holds the classes of a start and of
 * the first requests, not only those up to the refreshed context. Changes nothing on the host.
 */
public final class TrainingRun {

    public static final String FLAG = "--cds-training";

    /** Reads and refusals only: a dry run could change nothing, but a training run has no reason to try. */
    static final String READINESS = "/actuator/health/readiness";
    static final String LIVENESS = "/actuator/health/liveness";
    static final List<String> VIEWER_PATHS = List.of("/api/v1/conntrack/usage", "/api/v1/conntrack/stats",
            "/api/v1/agent", "/api/v1/sysctls", "/api/v1/hashsize", "/actuator/prometheus", "/actuator/health",
            "/api/v1/no-such-endpoint");

    private TrainingRun() {
    }

    public static boolean requested(String[] args) {
        return Arrays.asList(args).contains(FLAG);
    }

    /**
     * Runs the agent, asks it every path, stops it.
     *
     * @param args the caller's arguments (the flag itself is dropped); they come after the
     *             training's own, so they win
     * @return the process exit code: 0 when the agent started and answered its readiness probe
     */
    public static int run(Class<?> application, String[] args) {
        String key = randomKey();
        List<String> all = new ArrayList<>(List.of(
                "--server.address=127.0.0.1",
                "--server.port=0",
                "--ctagent.host.mode=dry-run",
                "--ctagent.security.api-keys[0].name=cds-training",
                "--ctagent.security.api-keys[0].sha256=" + HashKeyCommand.hash(key),
                "--ctagent.security.api-keys[0].roles=viewer"));
        Arrays.stream(args).filter(arg -> !arg.equals(FLAG)).forEach(all::add);
        try (ConfigurableApplicationContext context = SpringApplication.run(application, all.toArray(String[]::new))) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            boolean ready = get(port, READINESS, null) == 200;
            get(port, LIVENESS, null);
            for (String path : VIEWER_PATHS) {
                get(port, path, key);
            }
            get(port, VIEWER_PATHS.get(0), null);
            get(port, VIEWER_PATHS.get(0), "not-the-key");
            if (!ready) {
                System.err.println("cds-training: the agent started but its readiness probe did not answer 200");
                return 1;
            }
            return 0;
        } catch (IOException e) {
            System.err.println("cds-training: could not reach the agent on loopback: " + e.getMessage());
            return 1;
        }
    }

    /** One GET over a fresh connection; the answer is read to its end and its status returned. */
    static int get(int port, String path, String key) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(10_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (key == null ? "" : "X-API-Key: " + key + "\r\n") + "\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            // "HTTP/1.1 200 ..."
            return answer.length() >= 12 ? Integer.parseInt(answer.substring(9, 12)) : -1;
        }
    }

    static String randomKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

}
