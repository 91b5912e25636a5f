package io.ctagent.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.monitor.EventLog;
import io.ctagent.monitor.EventType;
import io.ctagent.monitor.Severity;
import io.ctagent.testsupport.HeadlessChromium;
import io.ctagent.testsupport.TestApiKeys;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The dashboard end to end: the agent on the real host's /proc behind the path prefix /ctagent,
 * headless chromium loads the page, the operator types a key, and the gauge must show the count the
 * API gives. Every request the page makes stays under the agent's prefix and carries the key; the
 * Content-Security-Policy is in force. Saves target/dashboard.png (with -Ddashboard.write=true also
 * docs/dashboard.png for the README).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.servlet.context-path=/ctagent",
        "ctagent.monitor.interval=1s"})
class DashboardBrowserIT {

    /** A viewer key, configured by its hash as an operator would. */
    static final String KEY = "dashboard-test-key-7f3c1a9e";

    private static final Path SCREENSHOT = Path.of("target/dashboard.png");
    private static final Path README_SCREENSHOT = Path.of("docs/dashboard.png");
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    /** GET /api/v1/diagnosis as it is being built (the endpoint answers 404 until it lands). */
    private static final String DIAGNOSIS = """
            {"findings": [
              {"id": "table-near-full", "severity": "CRITICAL", "title": "The table is 96 % full",
               "detail": "New connections are dropped once count reaches max.",
               "evidence": {"count": 251658, "max": 262144, "usagePercent": 96.0},
               "fix": {"method": "PUT", "path": "/api/v1/sysctls/net.netfilter.nf_conntrack_max",
                       "body": {"value": 524288, "persist": true}, "description": "Double the maximum and persist it"}},
              {"id": "markup", "severity": "INFO", "title": "Kernel said <img src=x onerror=window.injected=1>",
               "detail": "A message with markup stays text.", "evidence": {}}
            ]}""";

    /** GET /api/v1/conntrack/entries/summary?groupBy=src&top=10 as merged from issue 5. */
    private static final String SUMMARY = """
            {"netns": null, "source": "procfs", "filter": {}, "groupBy": ["src"], "top": 10, "total": 5230,
             "matched": 5230, "groups": [{"key": {"src": "10.0.0.7"}, "count": 3121},
                                         {"key": {"src": "192.168.1.20"}, "count": 1799}],
             "otherMatched": 310, "distinctGroups": 14, "exact": true, "maxUndercount": 0,
             "durationMillis": 42, "warnings": []}""";

    HeadlessChromium browser;

    @LocalServerPort
    int port;

    @Autowired
    ObjectMapper json;

    @Autowired
    EventLog events;

    private final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void keyAndStateFile(DynamicPropertyRegistry registry) throws IOException {
        // One list in one property source: Spring binds an indexed list from a single source.
        registry.add("ctagent.security.api-keys[0].name", () -> "dashboard-test");
        registry.add("ctagent.security.api-keys[0].sha256", () -> TestApiKeys.sha256(KEY));
        registry.add("ctagent.security.api-keys[0].roles", () -> "viewer");
        Path dir = Files.createTempDirectory("ctagent-dashboard-it");
        registry.add("ctagent.notrack.state-file", () -> dir.resolve("notrack.json").toString());
    }

    @BeforeAll
    static void browserInstalled() {
        HeadlessChromium.require();
    }

    /** A fresh browser per test: an empty profile, so no key is left in sessionStorage. */
    @BeforeEach
    void startBrowser() throws Exception {
        browser = HeadlessChromium.launch(Path.of("target/chromium-dashboard.log"));
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void anOperatorEntersAKeyAndSeesTheHostsCountLiveEventsAndEverySection() throws Exception {
        String base = base();
        openAndEnterTheKey(base);

        assertGaugeShowsTheApiCount();
        assertThat(browser.evaluate("document.getElementById('usage-gauge').querySelectorAll('path').length")
                .asInt()).as("track, three bands and the value").isEqualTo(5);

        // Live: an event published now reaches the page through the stream, not a reload.
        browser.awaitTrue("document.getElementById('events-live').textContent.startsWith('Live')", PATIENCE);
        events.publish(EventType.TABLE_FULL, Severity.CRITICAL,
                "nf_conntrack: table full, dropping packet (published by DashboardBrowserIT)", null,
                "dashboard-test", null);
        browser.awaitTrue("document.getElementById('events-list').textContent.includes('DashboardBrowserIT')",
                PATIENCE);

        for (String section : List.of("namespaces", "top-sources", "diagnosis", "notrack")) {
            browser.awaitTrue("!document.getElementById('" + section + "-body').textContent.includes('Loading')",
                    PATIENCE);
        }
        assertThat(browser.evaluate("document.getElementById('namespaces-body').textContent").asString())
                .contains("the agent's own");
        browser.awaitTrue("document.querySelectorAll('#history-entries path.series.count').length === 1", PATIENCE);

        assertThat(browser.evaluate("sessionStorage.getItem('ctagent.apiKey')").asString()).isEqualTo(KEY);
        assertThat(browser.evaluate("localStorage.length + document.cookie.length").asInt()).isZero();

        browser.screenshot(SCREENSHOT, 1280);
        if (Boolean.getBoolean("dashboard.write")) {
            Files.createDirectories(README_SCREENSHOT.getParent());
            Files.copy(SCREENSHOT, README_SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
        }

        assertEveryRequestStayedUnderThePrefixWithTheKey(base);
        assertThePolicyIsInForce(base);
    }

    @Test
    void aRefusedKeyBringsBackTheKeyFormWithTheReasonAndIsNotKept() {
        openAndEnterTheKey(base(), "not-a-key-of-this-agent");

        browser.awaitTrue("!document.getElementById('key-section').hidden", PATIENCE);
        assertThat(browser.evaluate("document.getElementById('key-error').textContent").asString())
                .contains("refused this key (401)");
        assertThat(browser.evaluate("document.getElementById('dashboard').hidden").asBoolean()).isTrue();
        assertThat(browser.evaluate("sessionStorage.length").asInt()).isZero();
    }

    @Test
    void findingsWithTheirProposedRequestsAndTopSourcesShowInTheShapesBeingBuilt() throws Exception {
        browser.answerJson(url -> url.endsWith("/api/v1/diagnosis") ? Optional.of(DIAGNOSIS)
                : url.contains("/api/v1/conntrack/entries/summary?") ? Optional.of(SUMMARY) : Optional.empty());
        openAndEnterTheKey(base());

        browser.awaitTrue("document.querySelectorAll('#diagnosis-body .finding').length === 2", PATIENCE);
        String diagnosis = browser.evaluate("document.getElementById('diagnosis-body').textContent").asString();
        assertThat(diagnosis).contains("The table is 96 % full", "PUT /api/v1/sysctls/net.netfilter.nf_conntrack_max",
                "\"value\": 524288", "Double the maximum and persist it", "usagePercent", "96");
        // Text from the API is shown as text, never parsed as markup.
        assertThat(diagnosis).contains("<img src=x onerror=window.injected=1>");
        assertThat(browser.evaluate("document.querySelector('#diagnosis-body img') === null "
                + "&& window.injected === undefined").asBoolean()).isTrue();

        browser.awaitTrue("document.querySelectorAll('#top-sources-body tbody tr').length === 2", PATIENCE);
        assertThat(browser.evaluate("document.getElementById('top-sources-body').textContent").asString())
                .contains("10.0.0.7", "192.168.1.20", "59.67 %");
        browser.screenshot(Path.of("target/dashboard-findings.png"), 1280);
    }

    private String base() {
        return "http://127.0.0.1:" + port + "/ctagent/";
    }

    private void openAndEnterTheKey(String base) {
        openAndEnterTheKey(base, KEY);
    }

    /** Loads the page as an operator would, checks that it asks for a key, and types one. */
    private void openAndEnterTheKey(String base, String key) {
        browser.call("Page.enable");
        browser.call("Network.enable");
        // Recorded before any page script runs; DevTools scripts are exempt from the policy.
        browser.call("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
                "window.cspViolations = []; document.addEventListener('securitypolicyviolation', e => "
                        + "window.cspViolations.push(e.effectiveDirective + ' ' + e.blockedURI));"));

        browser.navigate(base);
        assertThat(browser.evaluate("document.getElementById('key-section').hidden").asBoolean()).isFalse();
        assertThat(browser.evaluate("document.getElementById('dashboard').hidden").asBoolean()).isTrue();

        browser.evaluate("document.getElementById('api-key').focus()");
        browser.type(key);
        browser.evaluate("document.getElementById('key-form').requestSubmit()");
    }

    /** The host's count moves; the page must catch up with the API within a few refreshes. */
    private void assertGaugeShowsTheApiCount() throws Exception {
        browser.awaitTrue("/\\d/.test(document.getElementById('usage-count').textContent)", PATIENCE);
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        long shown;
        long api;
        do {
            shown = Long.parseLong(browser.evaluate("document.getElementById('usage-count').textContent")
                    .asString().replaceAll("\\D", ""));
            api = get("/ctagent/api/v1/conntrack/usage").get("count").asLong();
            if (shown == api) {
                break;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        assertThat(shown).as("count in #usage-count vs GET /api/v1/conntrack/usage").isEqualTo(api);
    }

    private void assertEveryRequestStayedUnderThePrefixWithTheKey(String base) {
        List<JsonNode> requests = browser.events("Network.requestWillBeSent").stream()
                .map(event -> event.path("request")).toList();
        List<String> urls = requests.stream().map(request -> request.path("url").asString()).toList();
        assertThat(urls).contains(base, base + "app.js", base + "app.css", base + "api/v1/conntrack/usage",
                base + "api/v1/events/stream", base + "api/v1/netns", base + "api/v1/notrack/rules");
        assertThat(urls).allMatch(url -> url.startsWith(base) || url.startsWith("data:"),
                "every request stays on the agent under its prefix");
        List<JsonNode> apiCalls = requests.stream()
                .filter(request -> request.path("url").asString().startsWith(base + "api/")).toList();
        assertThat(apiCalls).isNotEmpty()
                .allMatch(request -> KEY.equals(request.path("headers").path("X-API-Key").asString()),
                        "every API call carries X-API-Key");
    }

    private void assertThePolicyIsInForce(String base) throws Exception {
        assertThat(browser.evaluate("window.cspViolations").toString()).isEqualTo("[]");
        // The policy must stop an inline script that somehow got into the page.
        browser.evaluate("document.body.append(Object.assign(document.createElement('script'), "
                + "{textContent: 'window.inlineScriptRan = true'})); true");
        browser.awaitTrue("window.cspViolations.length === 1", PATIENCE);
        assertThat(browser.evaluate("window.inlineScriptRan === undefined").asBoolean()).isTrue();

        for (String file : List.of("", "index.html", "app.js", "app.css")) {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(base + file))
                    .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.discarding());
            assertThat(response.statusCode()).as(file).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Security-Policy")).as(file)
                    .hasValue(DashboardHeaders.CONTENT_SECURITY_POLICY);
        }
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-API-Key", KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return json.readTree(response.body());
    }
}
