package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ctagent.testsupport.AgentProcess;
import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;
import tools.jackson.databind.JsonNode;

/**
 * The lifeline on the real kernel, on a router: the agent runs in lab namespace R, bound to every address
 * (no server.address), and R forwards for lab namespace C over a veth pair. Only 127.0.0.0/8 addresses
 * are used: in both namespaces the local table keeps just 127.0.0.1 as local (plus each veth end's own
 * address), route_localnet lets 127/8 cross the veth, and R routes 127.2.0.0/16 back out to C.
 * <ul>
 * <li>C's connection to the agent on R's own address 127.10.0.1 answers and leaves no entry in R's table:
 * untracked by the lifeline;</li>
 * <li>C's connection to 127.2.0.5 on the same port is forwarded by R, and R tracks it (SYN_SENT): a lifeline
 * for any destination would have untracked it, and masquerade and stateful FORWARD rules need the entry;</li>
 * <li>the agent lists what it installed as its lifeline, in the kernel, with no drift, no left-over and no
 * foreign rule, and its reconciles (every second) leave it alone: one install in the audit log.</li>
 * </ul>
 */
class LifelineLocalOnlyHostIT {

    private static final int PORT = 9105;
    private static final String ROUTER = "127.10.0.1";
    private static final String CLIENT = "127.10.0.2";
    /** Not an address of either namespace: R forwards it to C, which drops it. */
    private static final String ELSEWHERE = "127.2.0.5";

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "iptables", "nft", "conntrack", "nsenter", "sysctl", "curl");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nftables", "iptables"})
    void onlyConnectionsAddressedToTheHostAreUntrackedNotTheOnesItForwards(String backend) throws Exception {
        Path work = Files.createTempDirectory("ctagent-lifeline-local");
        try (LabNamespace router = LabNamespace.create(); LabNamespace client = LabNamespace.create()) {
            connect(router, client);
            try (AgentProcess agent = AgentProcess.startIn(router.name(), PORT, work,
                    "--server.address=0.0.0.0",
                    "--ctagent.lifeline.enabled=true",
                    "--ctagent.notrack.backend=" + backend,
                    "--ctagent.host.mode=direct",
                    "--ctagent.audit.path=" + work.resolve("audit.jsonl"),
                    "--ctagent.notrack.state-file=" + work.resolve("notrack.json"),
                    "--ctagent.notrack.reconcile-interval=1s")) {
                String installed = awaitLifeline(router, backend);
                router.exec("conntrack", "-F");

                HostApi toRouter = HostApi.inNamespace(client.name(), ROUTER, PORT).timeout(Duration.ofSeconds(5));
                JsonNode local = toRouter.get("/api/v1/agent");
                HostApi elsewhere = HostApi.inNamespace(client.name(), ELSEWHERE, PORT).timeout(Duration.ofSeconds(1));
                assertThatThrownBy(() -> elsewhere.send("GET", "/", TestApiKeys.VIEWER, null))
                        .as("nothing answers at " + ELSEWHERE).isInstanceOf(IOException.class);

                List<String> onThePort = router.execStdout("conntrack", "-L", "-p", "tcp").lines()
                        .filter(line -> line.contains("port=" + PORT + " ")).toList();
                assertThat(local.get("lifeline").get("installed").asBoolean()).as(local.toString()).isTrue();
                assertThat(onThePort).as("the forwarded connection is tracked, the agent's own is not").singleElement()
                        .asString().containsPattern("SYN_SENT src=" + CLIENT + " dst=" + ELSEWHERE
                                + " sport=\\d+ dport=" + PORT + " ");

                assertThat(installed).contains(backend.equals("nftables") ? "tcp dport " + PORT
                        + " fib daddr type local" : "--dport " + PORT + " -m addrtype --dst-type LOCAL");

                TimeUnit.SECONDS.sleep(3);
                JsonNode rules = toRouter.get("/api/v1/notrack/rules?include=foreign");
                assertThat(rules.get("warnings")).as(rules.toString()).isEmpty();
                assertThat(rules.get("foreign")).as(rules.toString()).isEmpty();
                assertThat(rules.get("rules")).singleElement().satisfies(rule -> {
                    assertThat(rule.get("id").asString()).isEqualTo("lifeline");
                    assertThat(rule.get("inKernel").asBoolean()).isTrue();
                });
                assertThat(Files.readString(work.resolve("audit.jsonl")).lines()
                        .filter(line -> line.contains("\"action\":\"notrack.lifeline.add\""))
                        .filter(line -> line.contains("\"result\":\"APPLIED\"")))
                        .as("installed once; the reconciles since found it in force").hasSize(1);
            }
        }
    }

    /** The veth pair and the routes; a command that fails fails the test, and the namespaces take it all away. */
    private static void connect(LabNamespace router, LabNamespace client) {
        LabNamespace.run("ip", "link", "add", "c0", "netns", client.name(), "type", "veth", "peer", "name", "r0",
                "netns", router.name());
        for (LabNamespace lab : List.of(router, client)) {
            lab.exec("sysctl", "-qw", "net.ipv4.conf.all.route_localnet=1", "net.ipv4.conf.default.route_localnet=1",
                    "net.ipv4.conf.all.send_redirects=0");
            // 127.0.0.0/8 is all local through lo; keep 127.0.0.1 (an address route) and let the rest be routed.
            lab.exec("ip", "route", "del", "local", "127.0.0.0/8", "dev", "lo", "table", "local");
        }
        router.exec("sysctl", "-qw", "net.ipv4.conf.r0.route_localnet=1", "net.ipv4.conf.r0.send_redirects=0",
                "net.ipv4.ip_forward=1");
        client.exec("sysctl", "-qw", "net.ipv4.conf.c0.route_localnet=1");
        router.exec("ip", "addr", "add", ROUTER + "/32", "dev", "r0");
        client.exec("ip", "addr", "add", CLIENT + "/32", "dev", "c0");
        router.exec("ip", "link", "set", "r0", "up");
        client.exec("ip", "link", "set", "c0", "up");
        router.exec("ip", "route", "add", CLIENT + "/32", "dev", "r0");
        client.exec("ip", "route", "add", ROUTER + "/32", "dev", "c0");
        // 127/8 addresses have host scope, so the source must be named for a route through a gateway.
        client.exec("ip", "route", "add", "127.2.0.0/16", "via", ROUTER, "dev", "c0", "src", CLIENT);
        router.exec("ip", "route", "add", "127.2.0.0/16", "via", CLIENT, "dev", "r0");
    }

    /** The backend's listing once it holds the lifeline. */
    private static String awaitLifeline(LabNamespace router, String backend) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String rules = "";
        while (System.nanoTime() < deadline) {
            rules = backend.equals("nftables") ? router.exec("nft", "list", "ruleset")
                    : router.exec("iptables", "-t", "raw", "-S");
            if (rules.contains("ctagent:lifeline")) {
                return rules;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new AssertionError("no lifeline in the router namespace after 20 s:\n" + rules);
    }
}
