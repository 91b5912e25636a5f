package io.ctagent.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ctagent.ConntrackAgentApplication;
import io.ctagent.hostagent.CommandRunner;
import io.ctagent.hostagent.HostProperties;
import io.ctagent.notrack.FakeKernel;
import io.ctagent.testsupport.FakeCommandRunner;
import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.TestApiKeys;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input on every mutation endpoint of the served OpenAPI spec (every operation that is
 * not a GET): path variables, query parameters and JSON bodies built from the spec's own field
 * names, filled with shell metacharacters, path tricks, huge and negative numbers, wrong types,
 * nested objects and unknown fields, next to plausible values so that some requests get deep.
 * The agent runs in direct mode on a fake host tree with a command runner that runs nothing (nft
 * and iptables answered by FakeKernel). For every request: never a 5xx; on a 4xx the fake tree is
 * byte for byte unchanged and no command was run; and every argv element the runner ever sees
 * has the shape of a typed value (no blanks, quotes or shell characters) and never holds the
 * marker that every hostile string carries.
 */
class MutationFuzzTest {

    static final String MARKER = "zqx";
    static final Pattern ARGV_SHAPE = Pattern.compile("[A-Za-z0-9_.:,/+=@-]+");
    static final ObjectMapper JSON = new ObjectMapper();
    /** `sysctl -w key=value`; with nft's stdin script, the commands that change something. */
    static final Pattern SYSCTL_SET = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)+=.*");

    record Operation(String method, String path, List<String> pathParams, List<String> query, List<String> fields) {
    }

    record Request(String method, String path, String body) {
        @Override
        public String toString() {
            return method + " " + path + " " + body;
        }
    }

    static ConfigurableApplicationContext context;
    static FakeCommandRunner runner;
    static FakeHost host;
    static HostApi api;
    static List<Operation> operations;
    static int requests;
    static final Map<String, Integer> STATUSES = new TreeMap<>();

    /** A valid body per operation; the fuzzer replaces or adds one field, so requests get past the first check. */
    static final Map<String, Map<String, Object>> VALID = Map.of(
            "PUT /api/v1/sysctls/{key}", Map.of("value", 300000, "dryRun", true),
            "PATCH /api/v1/sysctls", Map.of("changes", Map.of("net.netfilter.nf_conntrack_udp_timeout", 31)),
            "PUT /api/v1/hashsize", Map.of("value", 262144, "dryRun", true),
            "POST /api/v1/notrack/rules", Map.of("direction", "OUTPUT", "protocol", "udp", "dports", 53),
            "POST /api/v1/sysctls/rollback", Map.of("auditId", "00000000"));

    /**
     * Passed to SpringApplicationBuilder as a source. Deliberately not a @Configuration: jqwik
     * classes are not recognised as tests by Boot's TestTypeExcludeFilter, so component scanning
     * would put this runner into every other test's context.
     */
    static class RunNothing {
        @Bean
        @Primary
        CommandRunner fuzzRunner(HostProperties properties) {
            runner = new FakeCommandRunner(properties);
            new FakeKernel(runner);
            // Per-namespace reads (`nsenter ... cat FILE`) answer with the fake tree's file.
            runner.answer(call -> tool(call, "cat"), call -> {
                Path file = Path.of(call.argv().get(call.argv().size() - 1));
                try {
                    return FakeCommandRunner.result(call, 0, Files.readString(file), "");
                } catch (IOException e) {
                    return FakeCommandRunner.result(call, 1, "", "cat: " + file + ": No such file or directory");
                }
            });
            runner.answer(call -> tool(call, "conntrack") && call.has("-D"), call -> FakeCommandRunner.result(call, 0, "",
                    "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n"));
            runner.answer(call -> tool(call, "conntrack") && call.has("-C"), call -> FakeCommandRunner.result(call, 0,
                    "0\n", ""));
            return runner;
        }
    }

    static boolean tool(FakeCommandRunner.Call call, String name) {
        return call.argv().stream().anyMatch(arg -> arg.endsWith("/" + name));
    }

    @BeforeContainer
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("ctagent-fuzz");
        host = FakeHost.copyTo(dir.resolve("host"));
        Files.createFile(host.root().resolve("run/netns/fuzzns"));
        Files.writeString(host.proc().resolve("net/nf_conntrack"), GuardedTable.procfs());
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : new String[] {"conntrack", "nft", "iptables", "ip6tables", "ip", "nsenter", "sysctl", "cat",
                "dd", "mv"}) {
            Path file = bin.resolve(tool);
            Files.writeString(file, "#!/bin/sh\nexit 97\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
                "--ctagent.host.proc-root=" + host.proc(), "--ctagent.host.sys-root=" + host.sys(),
                "--ctagent.host.rootfs=" + host.root(), "--ctagent.host.mode=direct",
                "--ctagent.host.tool-path=" + bin, "--ctagent.notrack.backend=nftables",
                "--ctagent.notrack.state-file=" + dir.resolve("notrack.json"),
                "--ctagent.notrack.reconcile-interval=0", "--ctagent.monitor.kmsg-path=" + dir.resolve("no-kmsg"),
                "--ctagent.audit.path=" + dir.resolve("audit.jsonl")));
        for (String key : TestApiKeys.properties()) {
            args.add("--" + key);
        }
        context = new SpringApplicationBuilder(ConntrackAgentApplication.class, RunNothing.class)
                .run(args.toArray(String[]::new));
        api = new HostApi(((WebServerApplicationContext) context).getWebServer().getPort());
        operations = mutations(JSON.readTree(api.send("GET", "/v3/api-docs", TestApiKeys.ADMIN, null).body()));
        assertThat(operations).as("mutation operations in the spec").hasSizeGreaterThanOrEqualTo(5);
    }

    @AfterContainer
    static void stop() {
        System.out.printf("MutationFuzzTest: %d requests %s over %d mutation operations %s, %d commands seen%n",
                requests, STATUSES, operations == null ? 0 : operations.size(),
                operations == null ? "" : operations.stream().map(o -> o.method() + " " + o.path()).toList(),
                runner == null ? 0 : runner.calls().size());
        if (context != null) {
            context.close();
        }
    }

    @Property(tries = 1000, edgeCases = EdgeCasesMode.MIXIN)
    void hostileInputNeverGetsA5xxNeverChangesAnythingOn4xxAndNeverReachesACommandLine(
            @ForAll("requests") Request request) throws Exception {
        Map<String, String> before = snapshot();
        int commandsBefore = runner.calls().size();

        HttpResponse<String> answer = api.send(request.method(), request.path(), TestApiKeys.ADMIN, request.body());
        requests++;
        STATUSES.merge(answer.statusCode() / 100 + "xx", 1, Integer::sum);

        assertThat(answer.statusCode()).as("%s -> %s", request, answer.body()).isLessThan(500);
        List<FakeCommandRunner.Call> calls = runner.calls();
        for (FakeCommandRunner.Call call : calls.subList(commandsBefore, calls.size())) {
            for (String arg : call.argv()) {
                assertThat(arg).as("argv %s of %s", call.argv(), request).matches(ARGV_SHAPE)
                        .doesNotContainIgnoringCase(MARKER);
            }
        }
        if (answer.statusCode() >= 400) {
            assertThat(snapshot()).as("the host after %s -> %s", request, answer.statusCode()).isEqualTo(before);
            assertThat(calls.subList(commandsBefore, calls.size()).stream()
                    .filter(call -> call.stdin() != null || call.argv().stream().anyMatch(a -> SYSCTL_SET.matcher(a).matches()))
                    .toList()).as("changing commands run for %s", request).isEmpty();
        }
    }

    @Provide
    Arbitrary<Request> requests() {
        return Arbitraries.of(operations).flatMap(op -> {
            Arbitrary<List<String>> pathValues = text().list().ofSize(op.pathParams().size());
            Arbitrary<Map<String, String>> query = Arbitraries.maps(Arbitraries.of(withExtra(op.query())), text())
                    .ofMaxSize(3);
            Arbitrary<Map<String, Object>> body = Arbitraries.maps(Arbitraries.of(withExtra(op.fields())), jsonValue())
                    .ofMaxSize(6);
            Map<String, Object> valid = VALID.getOrDefault(op.method() + " " + op.path(), Map.of());
            Arbitrary<String> oneFieldOff = Arbitraries.of(withExtra(op.fields())).flatMap(field -> jsonValue().map(v -> {
                Map<String, Object> changed = new java.util.HashMap<>(valid);
                changed.put(field, v);
                return json(changed);
            }));
            Arbitrary<String> rawBody = Arbitraries.oneOf(body.map(MutationFuzzTest::json), oneFieldOff, oneFieldOff,
                    Arbitraries.of("", "null", "[]", "{", "\"x\"", "{\"value\": 1e999}", "{\"value\": 3000000000000000000000}"));
            return net.jqwik.api.Combinators.combine(pathValues, query, rawBody).as((values, params, json) -> {
                String path = op.path();
                for (int i = 0; i < op.pathParams().size(); i++) {
                    path = path.replace("{" + op.pathParams().get(i) + "}", encode(values.get(i)));
                }
                StringBuilder url = new StringBuilder(path);
                char separator = '?';
                for (Map.Entry<String, String> param : params.entrySet()) {
                    url.append(separator).append(encode(param.getKey())).append('=').append(encode(param.getValue()));
                    separator = '&';
                }
                return new Request(op.method(), url.toString(), json);
            });
        });
    }

    /** Plausible values, so some requests pass validation, and hostile ones, each with the marker. */
    static Arbitrary<String> text() {
        Arbitrary<String> plausible = Arbitraries.of("300000", "30", "0", "-1", "65536", "true", "fuzzns", "nosuchns",
                "net.netfilter.nf_conntrack_max", "net.netfilter.nf_conntrack_udp_timeout", "udp", "tcp", "OUTPUT",
                "BOTH", "53", "1000-2000", "10.0.0.0/8", "::1", "eth0", "00000000", "abcdef12");
        Arbitrary<String> hostile = Arbitraries.oneOf(
                Arbitraries.of("; reboot", "$(id)", "`id`", "a b", "--help", "-F", "../../etc/passwd", "x\ny", "x\u0000y",
                        "'", "\"", "%s%n", "*", "|cat", "&&true", "net.netfilter.nf_conntrack_max=1", "1;2", "udp dport 22 drop")
                        .map(s -> s + MARKER),
                Arbitraries.strings().all().ofMaxLength(40).map(s -> MARKER + s),
                Arbitraries.strings().withChars("; $`'\"|&<>(){}[]\\\n\t*?~!#-=./0123456789abc").ofMaxLength(30)
                        .map(s -> s + MARKER),
                Arbitraries.strings().withChars('9').ofMinLength(19).ofMaxLength(40).map(s -> s + MARKER));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, plausible), net.jqwik.api.Tuple.of(3, hostile));
    }

    static Arbitrary<Object> jsonValue() {
        Arbitrary<Object> scalar = Arbitraries.oneOf(text().map(s -> (Object) s),
                Arbitraries.longs().map(l -> (Object) l), Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, 0L, 300000L)
                        .map(l -> (Object) l),
                Arbitraries.doubles().map(d -> (Object) d), Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just(null));
        Arbitrary<Object> array = scalar.list().ofMaxSize(3).map(l -> (Object) l);
        Arbitrary<Object> object = Arbitraries.maps(text(), scalar).ofMaxSize(3).map(m -> (Object) m);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, scalar), net.jqwik.api.Tuple.of(1, array),
                net.jqwik.api.Tuple.of(2, object));
    }

    static List<String> withExtra(List<String> names) {
        List<String> all = new ArrayList<>(names);
        all.addAll(List.of("unknown" + MARKER, "value", "netns"));
        return all;
    }

    static String json(Map<String, Object> body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Every file under the fake root with a hash of its content. */
    static Map<String, String> snapshot() {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(host.root())) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path file : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(file)) {
                    files.put(host.root().relativize(file).toString(),
                            HexFormat.of().formatHex(sha.digest(Files.readAllBytes(file))));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return files;
    }

    /** Every non-GET operation under /api of the spec, with its path, query and body field names. */
    static List<Operation> mutations(JsonNode spec) {
        List<Operation> found = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (String method : List.of("put", "post", "patch", "delete")) {
                JsonNode op = path.getValue().get(method);
                if (op == null || !path.getKey().startsWith("/api/")) {
                    continue;
                }
                List<String> pathParams = new ArrayList<>();
                List<String> query = new ArrayList<>();
                for (JsonNode parameter : op.path("parameters")) {
                    switch (parameter.path("in").asText()) {
                        case "path" -> pathParams.add(parameter.get("name").asText());
                        case "query" -> query.add(parameter.get("name").asText());
                        default -> {
                        }
                    }
                }
                List<String> fields = new ArrayList<>();
                JsonNode schema = op.path("requestBody").path("content").path("application/json").path("schema");
                if (schema.has("$ref")) {
                    String name = schema.get("$ref").asText().replace("#/components/schemas/", "");
                    schema = spec.path("components").path("schemas").path(name);
                }
                schema.path("properties").fieldNames().forEachRemaining(fields::add);
                found.add(new Operation(method.toUpperCase(), path.getKey(), pathParams, query, fields));
            }
        }
        return found;
    }


    /**
     * The agent's own table in the fake tree, built so that the share a generated filter matches is
     * known without the agent's code: every entry is UDP over IPv4 from 127.0.0.1, zone 0, mark 0;
     * a third go to 127.0.1.x port 5353, two thirds to 127.0.2.x port 53.
     */
    static final class GuardedTable {
        static final int THIRD = 10;
        static final int REST = 20;

        /** Filter values by the share of this table they match: 1, 1/3 (the 5353 third), 2/3 (the rest), 0. */
        static final Map<String, List<String>> MATCH_ALL = Map.of("family", List.of("ipv4"), "protocol", List.of("udp"),
                "src", List.of("127.0.0.0/8", "0.0.0.0/0", "127.0.0.1"), "dst", List.of("127.0.0.0/8", "0.0.0.0/0"),
                "mark", List.of("0/0", "0", "0x0/0xff"), "zone", List.of("0"));
        static final Map<String, List<String>> MATCH_THIRD = Map.of("dst", List.of("127.0.1.0/24"),
                "dport", List.of("5353"));
        static final Map<String, List<String>> MATCH_REST = Map.of("dst", List.of("127.0.2.0/24"),
                "dport", List.of("53"));
        static final Map<String, List<String>> MATCH_NONE = Map.of("protocol", List.of("tcp"), "zone", List.of("7"),
                "dst", List.of("10.0.0.0/8"), "mark", List.of("42"));

        static String procfs() {
            StringBuilder table = new StringBuilder();
            for (int i = 0; i < THIRD + REST; i++) {
                String dst = (i < THIRD ? "127.0.1." : "127.0.2.") + (i + 1);
                int dport = i < THIRD ? 5353 : 53;
                table.append("ipv4     2 udp      17 29 src=127.0.0.1 dst=").append(dst).append(" sport=")
                        .append(40000 + i).append(" dport=").append(dport).append(" [UNREPLIED] src=").append(dst)
                        .append(" dst=127.0.0.1 sport=").append(dport).append(" dport=").append(40000 + i)
                        .append(" mark=0 use=2\n");
            }
            return table.toString();
        }

        /** The share of the table a filter built from the maps above matches. */
        static double share(Map<String, String> filter) {
            boolean third = false;
            boolean rest = false;
            for (Map.Entry<String, String> field : filter.entrySet()) {
                if (MATCH_NONE.getOrDefault(field.getKey(), List.of()).contains(field.getValue())) {
                    return 0;
                }
                third |= MATCH_THIRD.getOrDefault(field.getKey(), List.of()).contains(field.getValue());
                rest |= MATCH_REST.getOrDefault(field.getKey(), List.of()).contains(field.getValue());
            }
            return third && rest ? 0 : third ? (double) THIRD / (THIRD + REST) : rest ? (double) REST / (THIRD + REST) : 1;
        }
    }

    record Guarded(String role, String key, String confirm, Map<String, String> filter, double share) {
    }

    /**
     * Filters written every way that reaches the whole table (or most of it), sent by an operator or an
     * admin, with or without the confirmation: a delete of more than half the table (the default
     * ctagent.entries.flush.confirm-share) only ever runs for an admin who confirmed it.
     */
    @Property(tries = 150, edgeCases = EdgeCasesMode.MIXIN)
    void neverADeletionAboveTheShareWithoutConfirmation(@ForAll("broadFlushes") Guarded flush) throws Exception {
        int commandsBefore = runner.calls().size();
        String body = json(Map.of("filter", flush.filter()));
        HttpResponse<String> answer = api.send("POST", "/api/v1/conntrack/flush", flush.key(), body,
                "X-Confirm", flush.confirm());
        requests++;
        STATUSES.merge(answer.statusCode() / 100 + "xx", 1, Integer::sum);

        List<FakeCommandRunner.Call> calls = runner.calls();
        boolean deleted = calls.subList(commandsBefore, calls.size()).stream()
                .anyMatch(call -> tool(call, "conntrack") && call.has("-D"));
        boolean confirmed = flush.role().equals("admin") && "flush-all".equals(flush.confirm());
        if (flush.share() > 0.5 && !confirmed) {
            assertThat(deleted).as("%s -> %s", flush, answer.body()).isFalse();
            assertThat(answer.statusCode()).as("%s -> %s", flush, answer.body()).isEqualTo(409);
            assertThat(JSON.readTree(answer.body()).get("share").asDouble()).isEqualTo(flush.share());
        } else {
            assertThat(answer.statusCode()).as("%s -> %s", flush, answer.body()).isEqualTo(200);
            assertThat(deleted).as("%s", flush).isTrue();
        }
    }

    @Provide
    Arbitrary<Guarded> broadFlushes() {
        Map<String, List<String>> byField = new TreeMap<>();
        for (Map<String, List<String>> values : List.of(GuardedTable.MATCH_ALL, GuardedTable.MATCH_THIRD,
                GuardedTable.MATCH_REST, GuardedTable.MATCH_NONE)) {
            values.forEach((field, list) -> byField.computeIfAbsent(field, f -> new ArrayList<>()).addAll(list));
        }
        Arbitrary<Map<String, String>> filter = Arbitraries.of(List.copyOf(byField.keySet())).set().ofMinSize(1)
                .ofMaxSize(3).flatMap(fields -> {
                    List<Arbitrary<Map.Entry<String, String>>> picks = fields.stream()
                            .map(field -> Arbitraries.of(byField.get(field)).map(value -> Map.entry(field, value)))
                            .toList();
                    return net.jqwik.api.Combinators.combine(picks).as(entries -> {
                        Map<String, String> map = new TreeMap<>();
                        entries.forEach(entry -> map.put(entry.getKey(), entry.getValue()));
                        if (map.containsKey("dport")) {
                            map.putIfAbsent("protocol", "udp"); // conntrack -D matches a port only with a protocol
                        }
                        return map;
                    });
                });
        return net.jqwik.api.Combinators.combine(Arbitraries.of("operator", "admin"), Arbitraries.of("flush-all", "no"),
                        Arbitraries.of(true, false), filter)
                .as((role, confirm, withHeader, chosen) -> new Guarded(role,
                        role.equals("admin") ? TestApiKeys.ADMIN : TestApiKeys.OPERATOR, withHeader ? confirm : null,
                        chosen, GuardedTable.share(chosen)));
    }

    record GuardedRule(String role, Map<String, Object> body, boolean broad) {
    }

    /**
     * NOTRACK rules narrowed or not by each measure: a rule the breadth measure calls broad (no ports
     * field of at most 1024 ports, no prefix of /16 (IPv4) or /48 (IPv6), no interface lo) is never put
     * into the kernel unless an admin forced it.
     */
    @Property(tries = 150, edgeCases = EdgeCasesMode.MIXIN)
    void neverABroadNotrackRuleWithoutForce(@ForAll("notrackRules") GuardedRule rule) throws Exception {
        int commandsBefore = runner.calls().size();
        HttpResponse<String> answer = api.send("POST", "/api/v1/notrack/rules",
                rule.role().equals("admin") ? TestApiKeys.ADMIN : TestApiKeys.OPERATOR, json(rule.body()));
        requests++;
        STATUSES.merge(answer.statusCode() / 100 + "xx", 1, Integer::sum);

        List<FakeCommandRunner.Call> calls = runner.calls();
        boolean changed = calls.subList(commandsBefore, calls.size()).stream().anyMatch(call -> call.stdin() != null);
        boolean forced = Boolean.TRUE.equals(rule.body().get("force")) && rule.role().equals("admin");
        assertThat(answer.statusCode()).as("%s -> %s", rule, answer.body()).isLessThan(500);
        if (rule.broad() && !forced) {
            assertThat(changed).as("%s -> %s", rule, answer.body()).isFalse();
            assertThat(answer.statusCode()).as("%s -> %s", rule, answer.body()).isIn(400, 403);
        }
    }

    @Provide
    Arbitrary<GuardedRule> notrackRules() {
        Arbitrary<String> direction = Arbitraries.of("OUTPUT", "PREROUTING", "BOTH");
        Arbitrary<String> protocol = Arbitraries.of("tcp", "udp").injectNull(0.4);
        Arbitrary<String> dports = Arbitraries.of("53", "1000-2000", "1-65535", "2-65535").injectNull(0.7);
        Arbitrary<String> address = Arbitraries.of("0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/8", "10.0.0.0/15",
                "10.1.0.0/16", "10.1.2.0/24", "::/1", "2001:db8::/47", "2001:db8:1::/48").injectNull(0.5);
        Arbitrary<String> iface = Arbitraries.of("veth+", "eth0", "lo+", "lo").injectNull(0.7);
        Arbitrary<Boolean> force = Arbitraries.of(true, false).injectNull(0.3);
        return net.jqwik.api.Combinators.combine(Arbitraries.of("operator", "admin"), direction, protocol, dports,
                        address, address, iface, force)
                .as((role, dir, proto, ports, src, dst, ifname, forceIt) -> {
                    Map<String, Object> body = new java.util.LinkedHashMap<>();
                    body.put("direction", dir);
                    if (proto != null) {
                        body.put("protocol", proto);
                        if (ports != null) {
                            body.put("dports", ports);
                        }
                    }
                    if (src != null) {
                        body.put("src", src);
                    }
                    if (dst != null && (src == null || src.contains(":") == dst.contains(":"))) {
                        body.put("dst", dst);
                    }
                    if (ifname != null && !dir.equals("BOTH")) {
                        body.put(dir.equals("OUTPUT") ? "oif" : "iif", ifname);
                    }
                    if (forceIt != null) {
                        body.put("force", forceIt);
                    }
                    body.put("comment", "fuzz");
                    return new GuardedRule(role, body, broad(body));
                });
    }

    /** The breadth rule of issue 17, written out independently of the agent's code. */
    static boolean broad(Map<String, Object> body) {
        Object dports = body.get("dports");
        if (dports != null && (dports.equals("53") || dports.equals("1000-2000"))) {
            return false;
        }
        for (String field : List.of("src", "dst")) {
            Object cidr = body.get(field);
            if (cidr != null) {
                String text = cidr.toString();
                int prefix = Integer.parseInt(text.substring(text.indexOf('/') + 1));
                if (prefix >= (text.contains(":") ? 48 : 16)) {
                    return false;
                }
            }
        }
        for (String field : List.of("iif", "oif")) {
            if ("lo".equals(body.get(field))) {
                return false;
            }
        }
        return true;
    }
}
