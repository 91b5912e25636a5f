package io.ctagent.testsupport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
 * </pre>
 */
public final class TrafficGenerator {

    private TrafficGenerator() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "tcp-hold" -> tcpHold(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "tcp-fill" -> tcpFill(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "udp-send" -> udpSend(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
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
}
