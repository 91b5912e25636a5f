package io.ctagent.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Debian's chromium, headless, driven through its DevTools protocol over a WebSocket with the
 * JDK's own client: no driver and no extra dependency. One browser, one page, an empty profile
 * that is deleted on {@link #close()}. Every DevTools event is kept for the test to inspect.
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final JsonMapper json = JsonMapper.builder().build();
    private final Process process;
    private final Path profile;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Function<String, Optional<String>> standIn = url -> Optional.empty();
    private WebSocket page;

    private HeadlessChromium(Process process, Path profile) {
        this.process = process;
        this.profile = profile;
    }

    /** Skips the calling test without chromium, fails it on CI (see {@link HostPrerequisites}). */
    public static void require() {
        HostPrerequisites.requireBrowser("chromium");
    }

    /** Starts chromium with an empty profile and attaches to its first page. Output goes to {@code log}. */
    public static HeadlessChromium launch(Path log) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("ctagent-chromium");
        List<String> command = List.of(HostPrerequisites.which("chromium"),
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--user-data-dir=" + profile,
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--window-size=1280,900", "about:blank");
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        HeadlessChromium browser = new HeadlessChromium(process, profile);
        try {
            browser.attach();
        } catch (IOException | InterruptedException | RuntimeException e) {
            browser.close();
            throw e;
        }
        return browser;
    }

    /** Chromium writes its DevTools port into the profile; the first page target is ours. */
    private void attach() throws IOException, InterruptedException {
        Path activePort = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(activePort) || Files.readAllLines(activePort).isEmpty()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("chromium did not start its DevTools endpoint");
            }
            Thread.sleep(100);
        }
        int port = Integer.parseInt(Files.readAllLines(activePort).get(0).strip());
        HttpClient http = HttpClient.newHttpClient();
        String targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        String pageUrl = null;
        for (JsonNode target : json.readTree(targets)) {
            if ("page".equals(target.path("type").asString())) {
                pageUrl = target.path("webSocketDebuggerUrl").asString();
                break;
            }
        }
        if (pageUrl == null) {
            throw new IllegalStateException("chromium has no page target: " + targets);
        }
        page = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), new Listener())
                .orTimeout(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** Sends one DevTools command and waits for its result. */
    public JsonNode call(String method, Map<String, ?> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("id", id);
        message.put("method", method);
        message.put("params", params);
        try {
            send(json.writeValueAsString(message));
            JsonNode reply = answer.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new IllegalStateException(method + " failed: " + reply.get("error"));
            }
            return reply.path("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(method + " got no answer", e);
        } finally {
            pending.remove(id);
        }
    }

    /** The JDK's WebSocket takes one message at a time; calls come from the test and from request handlers. */
    private synchronized void send(String message)
            throws InterruptedException, ExecutionException, TimeoutException {
        page.sendText(message, true).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    public JsonNode call(String method) {
        return call(method, Map.of());
    }

    /** Loads a URL and waits until the document and its scripts have loaded. */
    public void navigate(String url) {
        call("Page.navigate", Map.of("url", url));
        awaitTrue("document.readyState === 'complete' && location.href === " + json.writeValueAsString(url),
                Duration.ofSeconds(30));
    }

    /** Evaluates JavaScript in the page (awaiting a promise) and answers its value as JSON. */
    public JsonNode evaluate(String expression) {
        JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("page script failed: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Polls a JavaScript condition until it is true. */
    public void awaitTrue(String condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!evaluate("Boolean(" + condition + ")").asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the page never satisfied: " + condition);
            }
            sleep(200);
        }
    }

    /** Types text into the focused element as a keyboard would (one input event per string). */
    public void type(String text) {
        call("Input.insertText", Map.of("text", text));
    }

    /** A PNG of the whole page, {@code width} CSS pixels wide. */
    public void screenshot(Path file, int width) throws IOException {
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", 900,
                "deviceScaleFactor", 1, "mobile", false));
        int height = (int) Math.ceil(call("Page.getLayoutMetrics").path("cssContentSize").path("height").asDouble());
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", Math.max(height, 600),
                "deviceScaleFactor", 1, "mobile", false));
        String png = call("Page.captureScreenshot", Map.of("format", "png")).path("data").asString();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(png));
    }

    /**
     * Answers the page's requests whose URL the function maps to a JSON body with that body (200)
     * instead of the server; every other request goes on to the server.
     */
    public void answerJson(Function<String, Optional<String>> bodies) {
        standIn = bodies;
        call("Fetch.enable", Map.of("patterns", List.of(Map.of("urlPattern", "*", "requestStage", "Request"))));
    }

    private void paused(JsonNode params) {
        String id = params.path("requestId").asString();
        Optional<String> body = standIn.apply(params.path("request").path("url").asString());
        if (body.isPresent()) {
            call("Fetch.fulfillRequest", Map.of("requestId", id, "responseCode", 200,
                    "responseHeaders", List.of(Map.of("name", "Content-Type", "value", "application/json")),
                    "body", Base64.getEncoder().encodeToString(body.get().getBytes(StandardCharsets.UTF_8))));
        } else {
            call("Fetch.continueRequest", Map.of("requestId", id));
        }
    }

    /** The params of every DevTools event of this method received so far. */
    public List<JsonNode> events(String method) {
        return events.stream().filter(event -> method.equals(event.path("method").asString()))
                .map(event -> event.path("params")).toList();
    }

    /** Stops chromium and its helper processes, and deletes the profile. */
    @Override
    public void close() {
        List<ProcessHandle> helpers = process.descendants().toList();
        if (page != null) {
            page.abort();
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        helpers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        deleteTree(profile);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Joins frames into messages: replies complete their call, everything else is an event. */
    private final class Listener implements WebSocket.Listener {

        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                JsonNode parsed = json.readTree(message.toString());
                message.setLength(0);
                if (parsed.has("id")) {
                    CompletableFuture<JsonNode> answer = pending.get(parsed.get("id").asInt());
                    if (answer != null) {
                        answer.complete(parsed);
                    }
                } else {
                    events.add(parsed);
                    if ("Fetch.requestPaused".equals(parsed.path("method").asString())) {
                        // Answered off this thread: the answer's own reply arrives here.
                        CompletableFuture.runAsync(() -> paused(parsed.path("params")))
                                .exceptionally(failed -> { failed.printStackTrace(); return null; });
                    }
                }
            }
            socket.request(1);
            return null;
        }
    }
}
