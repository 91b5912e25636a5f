package io.ctagent.entries;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.TestApiKeys;

import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TrafficGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Real kernel, in a lab namespace of its own: known traffic (TCP held open, UDP to distinct 127.x
 * addresses, UDP with replies) must show up in the listing and summary exactly as `conntrack -L` shows
 * it there, and a flush must delete exactly what its filter names.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(HostApi.class)
class EntriesHostIT {

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        TestApiKeys.register(registry);
    }

    private static final int TCP = 5;
    private static final int SPRAY = 20;
    private static final int ECHO = 4;

    @Autowired
    HostApi api;

    @Autowired
    ObjectMapper json;

    @Autowired
    HostAgent host;

    private LabNamespace lab;
    private TrafficGenerator.Run holder;

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "iptables", "conntrack", "nsenter", "sysctl");
    }

    /** 5 TCP (ESTABLISHED, ASSURED), 20 + 20 UDP UNREPLIED to 127.0.1.x and 127.0.2.x, 4 UDP SEEN_REPLY. */
    @BeforeEach
    void knownTraffic() throws Exception {
        lab = LabNamespace.create();
        // Per namespace: keeps the UDP entries alive for the whole test. The host's value is untouched.
        lab.exec("sysctl", "-q", "-w", "net.netfilter.nf_conntrack_udp_timeout=600");
        holder = TrafficGenerator.startIn(lab, "tcp-hold", String.valueOf(TCP), "18081");
        assertThat(holder.firstLine()).isEqualTo("READY " + TCP);
        generate("udp-spray", String.valueOf(SPRAY), "9", "127.0.1.1");
        generate("udp-spray", String.valueOf(SPRAY), "9", "127.0.2.1");
        generate("udp-echo", String.valueOf(ECHO), "7007");
        assertThat(lab.conntrackCount()).isEqualTo(TCP + 2 * SPRAY + ECHO);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (holder != null) {
            holder.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void listingMatchesConntrackLInTheNamespace() throws Exception {
        JsonNode page = api.get("/api/v1/conntrack/entries?limit=10000&netns=" + lab.name());

        List<String> listed = new ArrayList<>();
        page.get("entries").forEach(e -> listed.add(key(e.get("protocol").asText(), e.get("original"))));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(conntrackL().keySet());
        assertThat(page.get("nextCursor").isNull()).isTrue();
        assertThat(page.get("source").asText()).isEqualTo("procfs");
    }

    @Test
    void pagesAndTheNdjsonStreamCoverTheSameEntries() throws Exception {
        List<String> paged = new ArrayList<>();
        String cursor = "";
        do {
            JsonNode page = api.get("/api/v1/conntrack/entries?limit=7&netns=" + lab.name() + cursor);
            page.get("entries").forEach(e -> paged.add(key(e.get("protocol").asText(), e.get("original"))));
            cursor = page.get("nextCursor").isNull() ? null : "&cursor=" + page.get("nextCursor").asText();
        } while (cursor != null);

        HttpResponse<String> stream = api.send("GET", "/api/v1/conntrack/entries?netns=" + lab.name(),
                TestApiKeys.VIEWER, null, "Accept", "application/x-ndjson");
        assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/x-ndjson"));
        List<String> streamed = new ArrayList<>();
        for (String line : stream.body().lines().toList()) {
            JsonNode e = json.readTree(line);
            streamed.add(key(e.get("protocol").asText(), e.get("original")));
        }

        assertThat(paged).hasSize(TCP + 2 * SPRAY + ECHO).containsExactlyInAnyOrderElementsOf(streamed)
                .containsExactlyInAnyOrderElementsOf(conntrackL().keySet());
    }

    @Test
    void theConntrackToolSourceReadsTheSameTable() {
        EntriesProperties viaTool = new EntriesProperties(TableSource.Choice.CONNTRACK, Duration.ofSeconds(30),
                Duration.ofSeconds(30), 1000, 2);
        EntryService service = new EntryService(new ConntrackTable(host, viaTool), viaTool, json);

        EntryPage page = service.page(NetnsTarget.parse(lab.name()), EntryFilter.ALL, 10_000, null);

        assertThat(page.source()).isEqualTo("conntrack");
        assertThat(page.entries()).extracting(e -> key(e.protocol(), e.original().src(), e.original().dst(),
                e.original().sport(), e.original().dport())).containsExactlyInAnyOrderElementsOf(conntrackL().keySet());
        assertThat(page.entries()).filteredOn(e -> e.protocol().equals("tcp"))
                .allSatisfy(e -> assertThat(e.status()).contains("ASSURED"));
    }

    @Test
    void summaryMatchesConntrackLInTheNamespace() throws Exception {
        JsonNode summary = api.get("/api/v1/conntrack/entries/summary?groupBy=protocol,state&netns=" + lab.name());

        Map<String, Long> expected = new TreeMap<>();
        conntrackL().values().forEach(line -> expected.merge(line.get(2) + "/" + (line.get(2).equals("tcp")
                ? line.get(5) : "null"), 1L, Long::sum));
        Map<String, Long> counted = new TreeMap<>();
        summary.get("groups").forEach(g -> counted.put(g.get("key").get("protocol").asText() + "/"
                + g.get("key").get("state").asText("null"), g.get("count").asLong()));
        assertThat(counted).isEqualTo(expected);
        assertThat(summary.get("total").asLong()).isEqualTo(TCP + 2 * SPRAY + ECHO);
        assertThat(summary.get("matched").asLong()).isEqualTo(TCP + 2 * SPRAY + ECHO);

        JsonNode unreplied = api.get("/api/v1/conntrack/entries/summary?groupBy=dport&status=UNREPLIED&netns="
                + lab.name());
        assertThat(unreplied.get("matched").asLong()).isEqualTo(2 * SPRAY);
        assertThat(unreplied.get("groups").get(0).get("key").get("dport").asInt()).isEqualTo(9);
    }

    @Test
    void aFilteredDeleteRemovesExactlyTheMatchingEntries() throws Exception {
        JsonNode result = flush("{\"filter\": {\"protocol\": \"udp\", \"dst\": \"127.0.1.0/24\"}}", null);

        assertThat(result.get("deleted").asLong()).isEqualTo(SPRAY);
        assertThat(result.get("matched").asLong()).isEqualTo(SPRAY);
        assertThat(result.get("applied").asBoolean()).isTrue();
        assertThat(result.get("after").get("matching").asLong()).isZero();
        assertThat(result.get("commands").get(0).toString()).contains("\"-D\"", "\"-d\"", "\"127.0.1.0/24\"");
        Map<String, List<String>> left = conntrackL();
        assertThat(left).hasSize(TCP + SPRAY + ECHO);
        assertThat(left.keySet()).noneMatch(k -> k.contains(" 127.0.1."));
        assertThat(left.keySet()).filteredOn(k -> k.contains(" 127.0.2.")).hasSize(SPRAY);
    }

    @Test
    void statusAndPortFiltersDeleteOnlyTheirEntries() throws Exception {
        JsonNode replied = flush("{\"filter\": {\"protocol\": \"udp\", \"status\": \"SEEN_REPLY\"}}", null);
        JsonNode tcp = flush("{\"filter\": {\"state\": \"ESTABLISHED\", \"dport\": \"18081\"}}", null);

        assertThat(replied.get("deleted").asLong()).isEqualTo(ECHO);
        assertThat(tcp.get("deleted").asLong()).isEqualTo(TCP);
        assertThat(conntrackL()).hasSize(2 * SPRAY).allSatisfy((k, line) -> assertThat(line).contains("[UNREPLIED]"));
    }

    @Test
    void aDryRunCountsButDeletesNothing() throws Exception {
        JsonNode result = flush("{\"filter\": {\"protocol\": \"udp\", \"dport\": 9}, \"dryRun\": true}", null);

        assertThat(result.get("matched").asLong()).isEqualTo(2 * SPRAY);
        assertThat(result.get("deleted").asLong()).isZero();
        assertThat(result.get("dryRun").asBoolean()).isTrue();
        assertThat(result.get("applied").asBoolean()).isFalse();
        assertThat(lab.conntrackCount()).isEqualTo(TCP + 2 * SPRAY + ECHO);
    }

    @Test
    void theWholeTableNeedsTheConfirmationHeader() throws Exception {
        HttpResponse<String> refused = post("/api/v1/conntrack/flush?netns=" + lab.name(), "{\"all\": true}", null);

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json.readTree(refused.body()).get("field").asText()).isEqualTo("X-Confirm");
        assertThat(lab.conntrackCount()).isEqualTo(TCP + 2 * SPRAY + ECHO);

        HttpResponse<String> operator = post("/api/v1/conntrack/flush?netns=" + lab.name(), "{\"all\": true}",
                "flush-all", TestApiKeys.OPERATOR);
        assertThat(operator.statusCode()).isEqualTo(403);
        assertThat(lab.conntrackCount()).isEqualTo(TCP + 2 * SPRAY + ECHO);

        JsonNode flushed = flush("{\"all\": true}", "flush-all");
        assertThat(flushed.get("all").asBoolean()).isTrue();
        assertThat(flushed.get("commands").get(0).toString()).contains("\"-F\"");
        assertThat(conntrackL().keySet()).noneMatch(k -> k.startsWith("udp"));
    }

    @Test
    void badInputDeletesNothingAndNamesTheField() throws Exception {
        Map<String, String> bodies = new HashMap<>();
        bodies.put("dport", "{\"filter\": {\"protocol\": \"udp\", \"dport\": \"22;rm\"}}");
        bodies.put("dst", "{\"filter\": {\"dst\": \"127.0.1.0/33\"}}");
        bodies.put("replyDst", "{\"filter\": {\"protocol\": \"udp\", \"replyDst\": \"127.0.0.0/8\"}}");
        bodies.put("state", "{\"filter\": {\"state\": \"ESTABLISH\"}}");
        bodies.put("filter", "{\"filter\": {}}");
        for (Map.Entry<String, String> body : bodies.entrySet()) {
            HttpResponse<String> response = post("/api/v1/conntrack/flush?netns=" + lab.name(), body.getValue(), null);
            assertThat(response.statusCode()).as(body.getValue()).isEqualTo(400);
            assertThat(json.readTree(response.body()).get("field").asText()).isEqualTo(body.getKey());
        }
        assertThat(lab.conntrackCount()).isEqualTo(TCP + 2 * SPRAY + ECHO);
    }

    @Test
    void zoneAndMarkFiltersMapToConntrackExactly() throws Exception {
        lab.exec("iptables", "-t", "raw", "-A", "OUTPUT", "-p", "udp", "--dport", "7100", "-j", "CT", "--zone", "7");
        lab.exec("iptables", "-t", "mangle", "-A", "OUTPUT", "-p", "udp", "--dport", "7101", "-j", "CONNMARK",
                "--set-mark", "0x2a");
        generate("udp-spray", "3", "7100", "127.0.3.1");
        generate("udp-spray", "2", "7101", "127.0.3.1");

        JsonNode zoned = api.get("/api/v1/conntrack/entries/summary?groupBy=zone,mark&netns=" + lab.name());
        assertThat(zoned.get("groups").toString()).contains("{\"key\":{\"zone\":7,\"mark\":0},\"count\":3}",
                "{\"key\":{\"zone\":0,\"mark\":42},\"count\":2}");

        assertThat(flush("{\"filter\": {\"protocol\": \"udp\", \"zone\": 7}}", null).get("deleted").asLong())
                .isEqualTo(3);
        assertThat(flush("{\"filter\": {\"mark\": \"0x2a/0xff\"}}", null).get("deleted").asLong()).isEqualTo(2);
        assertThat(lab.conntrackCount()).isEqualTo(TCP + 2 * SPRAY + ECHO);
    }

    private void generate(String... args) throws Exception {
        assertThat(TrafficGenerator.runIn(lab, args)).startsWith("SENT ");
    }

    /** `conntrack -L -o extended` in the lab, keyed like {@link #key}, parsed here independently. */
    private Map<String, List<String>> conntrackL() {
        Map<String, List<String>> entries = new HashMap<>();
        for (String line : lab.execStdout("conntrack", "-L", "-o", "extended").lines().toList()) {
            List<String> tokens = List.of(line.trim().split("\\s+"));
            if (tokens.size() < 6 || !tokens.get(0).startsWith("ipv")) {
                continue;
            }
            entries.put(key(tokens.get(2), value(tokens, "src"), value(tokens, "dst"), number(tokens, "sport"),
                    number(tokens, "dport")), tokens);
        }
        return entries;
    }

    private static String value(List<String> tokens, String key) {
        return tokens.stream().filter(t -> t.startsWith(key + "=")).findFirst().map(t -> t.substring(key.length() + 1))
                .orElse(null);
    }

    private static Integer number(List<String> tokens, String key) {
        String value = value(tokens, key);
        return value == null ? null : Integer.valueOf(value);
    }

    private static String key(String protocol, JsonNode tuple) {
        return key(protocol, tuple.get("src").asText(), tuple.get("dst").asText(),
                tuple.has("sport") ? tuple.get("sport").asInt() : null,
                tuple.has("dport") ? tuple.get("dport").asInt() : null);
    }

    private static String key(String protocol, String src, String dst, Integer sport, Integer dport) {
        return protocol + " " + src + " " + dst + " " + sport + " " + dport;
    }

    private JsonNode flush(String body, String confirm) throws Exception {
        HttpResponse<String> response = post("/api/v1/conntrack/flush?netns=" + lab.name(), body, confirm);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private HttpResponse<String> post(String path, String body, String confirm) throws Exception {
        return post(path, body, confirm, TestApiKeys.ADMIN);
    }

    private HttpResponse<String> post(String path, String body, String confirm, String key) throws Exception {
        return api.send("POST", path, key, body, "X-Confirm", confirm);
    }
}
