package io.ctagent.testsupport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs inside a lab namespace (`ip netns exec NS java -cp ... TrafficGenerator ...`), since a
 * JVM cannot enter a namespace itself. Only ever talks to 127.0.0.0/8.
 *
 * <pre>
 * tcp-hold N PORT   open N TCP connections to 127.0.0.1:PORT, print READY, hold until stdin closes
 * tcp-fill N PORT   open up to N connections until one fails (table full), print "OPEN k", hold
 * udp-send N PORT   send N datagrams to 127.0.0.1:PORT from source ports 30000..30000+N-1 (N flows), print SENT N
 * tcp-hold N PORT           open N TCP connections to 127.0.0.1:PORT, print READY, hold until stdin closes
 * udp-spray N PORT FIRST    one UDP datagram from one socket to each of N consecutive addresses from FIRST
 *                           (e.g. 127.0.1.1) on PORT: N UNREPLIED entries; prints SENT N and exits
 * udp-echo N PORT           N clients each send a datagram to an echo server on 127.0.0.1:PORT and read
 *                           the reply: N SEEN_REPLY entries; prints SENT N and exits
 * </pre>
 */
public final class TrafficGenerator {

    private TrafficGenerator() {
    }

    /** The command that runs this generator in a lab namespace: {@code lab.start(TrafficGenerator.command(...))}. */
    public static String[] command(String... args) {
        try {
            String launcher = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            String classes = Path.of(TrafficGenerator.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI()).toString();
            List<String> argv = new ArrayList<>(List.of(launcher, "-cp", classes, TrafficGenerator.class.getName()));
            argv.addAll(List.of(args));
            return argv.toArray(String[]::new);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A running generator inside the lab namespace; {@link #close()} ends it (closes its stdin). */
    public record Run(Process process) implements AutoCloseable {

        /** The first line it printed: "OPEN k", "READY n", "SENT n". */
        public String firstLine() throws IOException {
            return new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8)).readLine();
        }

        @Override
        public void close() {
            try {
                process.getOutputStream().close();
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException alreadyGone) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /** Starts {@code mode args...} (see above) inside the lab namespace with this test JVM's java. */
    public static Run startIn(LabNamespace lab, String... modeAndArgs) {
        return new Run(lab.start(command(modeAndArgs)));
    }

    /**
     * Runs a mode that ends by itself (udp-send, udp-spray, udp-echo) inside the lab namespace and returns the
     * line it printed ("SENT n"); fails if it has not ended within 30 s.
     */
    public static String runIn(LabNamespace lab, String... modeAndArgs) throws IOException, InterruptedException {
        return runIn(lab, java.time.Duration.ofSeconds(30), modeAndArgs);
    }

    /** {@link #runIn(LabNamespace, String...)} for a long run (e.g. a spray of 250,000), given up after {@code within}. */
    public static String runIn(LabNamespace lab, java.time.Duration within, String... modeAndArgs)
            throws IOException, InterruptedException {
        Process generator = lab.start(command(modeAndArgs));
        String said = new Run(generator).firstLine();
        if (!generator.waitFor(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            generator.destroyForcibly();
            throw new AssertionError("the traffic generator " + List.of(modeAndArgs) + " did not end within " + within);
        }
        return said;
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "tcp-hold" -> tcpHold(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "tcp-fill" -> tcpFill(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "udp-send" -> udpSend(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "udp-spray" -> udpSpray(Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3]);
            case "udp-echo" -> udpEcho(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /** Connects until the kernel drops a SYN (connect times out): the table is full. */
    private static void tcpFill(int attempts, int port) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        List<Socket> open = new ArrayList<>();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(loopback, port), attempts + 16);
            int opened = 0;
            for (int i = 0; i < attempts; i++) {
                Socket client = new Socket();
                try {
                    client.connect(new InetSocketAddress(loopback, port), 1000);
                } catch (IOException dropped) {
                    client.close();
                    break;
                }
                open.add(client);
                open.add(server.accept());
                opened++;
            }
            System.out.println("OPEN " + opened);
            System.out.flush();
            while (System.in.read() != -1) {
                // hold until the test closes stdin
            }
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
    }

    /**
     * Nobody needs to listen: conntrack records a UDP flow from its first packet. Source ports are
     * fixed and distinct, since random ephemeral ports may repeat and merge two flows into one.
     */
    private static void udpSend(int datagrams, int port) throws IOException {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
        for (int i = 0; i < datagrams; i++) {
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(target.getAddress(), 30000 + i))) {
                socket.send(new DatagramPacket(new byte[] {'x'}, 1, target));
            }
        }
        System.out.println("SENT " + datagrams);
        System.out.flush();
    }

    private static void tcpHold(int connections, int port) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        List<Socket> open = new ArrayList<>();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(loopback, port), connections + 16);
            for (int i = 0; i < connections; i++) {
                Socket client = new Socket();
                client.connect(new InetSocketAddress(loopback, port), 2000);
                open.add(client);
                open.add(server.accept());
            }
            System.out.println("READY " + connections);
            System.out.flush();
            // Hold the connections until the test closes our stdin.
            while (System.in.read() != -1) {
                // ignore input
            }
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
    }

    private static void udpSpray(int count, int port, String first) throws IOException {
        byte[] start = InetAddress.getByName(first).getAddress();
        long base = ((start[0] & 0xFFL) << 24) | ((start[1] & 0xFFL) << 16) | ((start[2] & 0xFFL) << 8)
                | (start[3] & 0xFFL);
        byte[] payload = {'x'};
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            for (int i = 0; i < count; i++) {
                socket.send(new DatagramPacket(payload, 1, new InetSocketAddress(loopback(base + i), port)));
            }
        }
        System.out.println("SENT " + count);
    }

    private static void udpEcho(int count, int port) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(loopback, port))) {
            server.setSoTimeout(5000);
            for (int i = 0; i < count; i++) {
                try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
                    client.setSoTimeout(5000);
                    client.send(new DatagramPacket(new byte[] {'q'}, 1, new InetSocketAddress(loopback, port)));
                    DatagramPacket request = new DatagramPacket(new byte[16], 16);
                    server.receive(request);
                    server.send(new DatagramPacket(new byte[] {'r'}, 1, request.getSocketAddress()));
                    client.receive(new DatagramPacket(new byte[16], 16));
                }
            }
        }
        System.out.println("SENT " + count);
    }

    /** An address in 127.0.0.0/8, or a refusal: this generator never sends anywhere else. */
    private static InetAddress loopback(long address) throws IOException {
        if ((address >>> 24) != 127 || address > 0x7FFF_FFFFL) {
            throw new IllegalArgumentException("only 127.0.0.0/8 is allowed, not " + address);
        }
        return InetAddress.getByAddress(new byte[] {127, (byte) (address >>> 16), (byte) (address >>> 8),
                (byte) address});
    }
}
