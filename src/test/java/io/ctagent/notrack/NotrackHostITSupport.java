package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.testsupport.TrafficGenerator;
import tools.jackson.databind.JsonNode;

/**
 * Real kernel, one lab namespace per test, for each backend (the subclasses): a UDP NOTRACK rule
 * for one port added through the API shows up in the backend's own listing, traffic to that
 * port leaves no conntrack entries while traffic to the neighbour port does, delete makes the
 * port tracked again, a foreign raw-table rule is untouched, and after the agent's rules are
 * wiped (`nft flush ruleset`) reconcile puts them back. Nothing outside lab namespaces changes.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@Import(HostApi.class)
abstract class NotrackHostITSupport {

    static final int PACKETS = 50;
    static final int EXEMPT_PORT = 40001;
    static final int NEIGHBOUR_PORT = 40002;

    @Autowired
    HostApi api;

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "iptables", "ip6tables", "nft", "conntrack", "nsenter");
    }

    /** Each test class (Spring context) gets its own state file, and reconciles every second. */
    @DynamicPropertySource
    static void notrackState(DynamicPropertyRegistry registry) {
        TestApiKeys.register(registry);
        try {
            Path dir = Files.createTempDirectory("ctagent-notrack-it");
            registry.add("ctagent.notrack.state-file", () -> dir.resolve("notrack.json").toString());
            registry.add("ctagent.notrack.reconcile-interval", () -> "1s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Puts a rule that is not the agent's into the raw table (before the agent acts). */
    abstract void placeForeignRule(LabNamespace lab);

    /** Everything outside the agent's table or chains that the foreign rule lives in, as text. */
    abstract String foreignRules(LabNamespace lab);

    /** The backend's own listing of the agent's rules, as an operator would run it. */
    abstract String agentRules(LabNamespace lab);

    /** What a reboot, `nft flush ruleset` or a firewall reload does to the agent's rules. */
    abstract void wipeAgentRules(LabNamespace lab);

    @Test
    void aUdpRuleExemptsItsPortOnlyAndDeleteMakesItTrackedAgainLeavingForeignRulesAlone() throws Exception {
        try (LabNamespace lab = LabNamespace.create()) {
            placeForeignRule(lab);
            String foreignBefore = foreignRules(lab);

            String id = createUdpRule(lab);
            assertThat(agentRules(lab)).contains("ctagent:" + id).contains(String.valueOf(EXEMPT_PORT));

            send(lab, EXEMPT_PORT);
            send(lab, NEIGHBOUR_PORT);
            assertThat(entries(lab, EXEMPT_PORT)).as("flows to the exempt port").isZero();
            assertThat(entries(lab, NEIGHBOUR_PORT)).as("flows to the neighbour port").isEqualTo(PACKETS);

            JsonNode rule = request("GET", "/api/v1/notrack/rules/" + id + "?netns=" + lab.name(), null, 200);
            assertThat(rule.get("inKernel").asBoolean()).isTrue();
            assertThat(rule.get("packets").asLong()).isGreaterThanOrEqualTo(PACKETS);
            JsonNode withForeign = request("GET", "/api/v1/notrack/rules?include=foreign&netns=" + lab.name(), null,
                    200);
            assertThat(withForeign.get("foreign").toString()).contains("9999");

            JsonNode deleted = request("DELETE", "/api/v1/notrack/rules/" + id + "?netns=" + lab.name(), null, 200);
            assertThat(deleted.get("applied").asBoolean()).isTrue();
            assertThat(agentRules(lab)).doesNotContain("ctagent:" + id);
            send(lab, EXEMPT_PORT);
            assertThat(entries(lab, EXEMPT_PORT)).as("flows to the port once the rule is gone").isEqualTo(PACKETS);

            assertThat(foreignRules(lab)).as("the foreign rule, unchanged").isEqualTo(foreignBefore);
        }
    }

    @Test
    void reconcileRestoresTheRulesAfterTheyAreWipedAndTheyWorkAgain() throws Exception {
        try (LabNamespace lab = LabNamespace.create()) {
            String id = createUdpRule(lab);

            wipeAgentRules(lab);
            assertThat(agentRules(lab)).doesNotContain("ctagent:" + id);

            JsonNode list = awaitRestored(lab, id);
            assertThat(list.get("lastReconcile").get("missing").toString()).contains(id);
            assertThat(list.get("lastReconcile").get("restored").asBoolean()).isTrue();
            assertThat(agentRules(lab)).contains("ctagent:" + id);

            // A wipe of the whole ruleset also took the lab's conntrack-on rule; put it back.
            lab.exec("iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP");
            send(lab, EXEMPT_PORT);
            send(lab, NEIGHBOUR_PORT);
            assertThat(entries(lab, EXEMPT_PORT)).isZero();
            assertThat(entries(lab, NEIGHBOUR_PORT)).isEqualTo(PACKETS);
        }
    }

    private String createUdpRule(LabNamespace lab) throws Exception {
        JsonNode created = request("POST", "/api/v1/notrack/rules?netns=" + lab.name(), """
                {"direction": "BOTH", "protocol": "udp", "dports": %d, "comment": "lab test"}
                """.formatted(EXEMPT_PORT), 201);
        assertThat(created.get("applied").asBoolean()).isTrue();
        assertThat(created.get("after").get("inKernel").asBoolean()).isTrue();
        return created.get("after").get("id").asString();
    }

    private JsonNode awaitRestored(LabNamespace lab, String id) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            JsonNode list = request("GET", "/api/v1/notrack/rules?netns=" + lab.name(), null, 200);
            JsonNode last = list.get("lastReconcile");
            boolean restored = last != null && !last.isNull() && last.get("missing").toString().contains(id)
                    && list.get("rules").get(0).get("inKernel").asBoolean();
            if (restored) {
                return list;
            }
            assertThat(Instant.now()).as("reconcile restored rule %s in time", id).isBefore(deadline);
            Thread.sleep(300);
        }
    }

    /** Sends PACKETS datagrams to a port from inside the namespace, each a new flow. */
    static void send(LabNamespace lab, int port) throws Exception {
        assertThat(TrafficGenerator.runIn(lab, "udp-send", String.valueOf(PACKETS), String.valueOf(port)))
                .isEqualTo("SENT " + PACKETS);
    }

    /** Conntrack entries for UDP to the port in the namespace (`conntrack -L -p udp --dport N`). */
    static long entries(LabNamespace lab, int port) {
        return lab.exec("conntrack", "-L", "-p", "udp", "--dport", String.valueOf(port)).lines()
                .filter(line -> line.startsWith("udp")).count();
    }

    /** An operator's request (reads included), its status asserted, its answer as JSON. */
    JsonNode request(String method, String path, String body, int expectedStatus) throws Exception {
        return HostApi.json(api.send(method, path, TestApiKeys.OPERATOR, body), method + " " + path, expectedStatus);
    }
}
