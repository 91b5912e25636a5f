package io.ctagent.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import io.ctagent.testsupport.HostPrerequisites;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The chart's namespace alerts under `promtool test rules` (Debian's prometheus package; scripts/setup-test-host.sh
 * installs it): they fire while a namespace fills, before any drop, and stay quiet below their bands. The
 * PrometheusRule is rendered by helm from the chart as shipped; the series fed to promtool must carry the
 * names and labels the agent really exports, checked against a scrape of NetnsMetrics.
 */
class NamespaceAlertRulesTest {

    private static final Path CHART = Path.of("helm/conntrack-agent");
    private static final String TEST_FILE = "namespace-alerts.test.yml";
    private static final Pattern SERIES = Pattern.compile("series: '([a-z_]+)\\{([^}]*)}'");
    /** Labels Prometheus adds when it scrapes, not the agent. */
    private static final Set<String> SCRAPE_LABELS = Set.of("instance", "job");

    private static String helm;
    private static String promtool;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        helm = executable(Objects.requireNonNullElse(System.getenv("HELM"), "/usr/local/bin/helm"),
                "scripts/install-helm.sh");
        promtool = executable("/usr/bin/promtool", "scripts/setup-test-host.sh (Debian's prometheus package)");
    }

    @Test
    void namespaceAlertsFireBeforeAnyDropAndStayQuietBelowTheirBands() throws Exception {
        Files.writeString(dir.resolve("rules.yml"), renderedRules());
        Files.writeString(dir.resolve(TEST_FILE), testFile());

        Run run = run(dir, promtool, "test", "rules", TEST_FILE);

        assertThat(run.output()).as(run.output()).contains("SUCCESS");
        assertThat(run.exit()).as(run.output()).isZero();
    }

    @Test
    void theSeriesFedToPromtoolAreTheOnesTheAgentExports() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        NetnsMetrics metrics = new NetnsMetrics(new NetnsMetricsProperties(0.1, 20));
        metrics.bindTo(registry);
        metrics.show(NetnsReadingsFixture.max(1000).own(3).named(4026532281L, "barslab-x", 920, 0).build());
        Map<String, Set<String>> exported = labelsByName(registry.scrape());

        Matcher series = SERIES.matcher(testFile());
        List<String> checked = new ArrayList<>();
        while (series.find()) {
            String name = series.group(1);
            if (!name.startsWith("ctagent_conntrack_fullest") && !name.startsWith("ctagent_netns")) {
                continue; // the agent's own metrics come from UsageMetrics and the event log
            }
            Set<String> labels = new TreeSet<>();
            for (String pair : series.group(2).split(",")) {
                labels.add(pair.strip().substring(0, pair.strip().indexOf('=')));
            }
            labels.removeAll(SCRAPE_LABELS);
            assertThat(exported).as("the agent exports " + name).containsKey(name);
            assertThat(exported.get(name)).as("labels of " + name).containsAll(labels);
            checked.add(name);
        }
        assertThat(checked).isNotEmpty();
    }

    private static Map<String, Set<String>> labelsByName(String scrape) {
        Map<String, Set<String>> byName = new LinkedHashMap<>();
        Pattern line = Pattern.compile("^([a-z_]+)\\{([^}]*)} ", Pattern.MULTILINE);
        Matcher m = line.matcher(scrape);
        while (m.find()) {
            Set<String> labels = byName.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            Arrays.stream(m.group(2).split(",")).map(p -> p.substring(0, p.indexOf('='))).forEach(labels::add);
        }
        return byName;
    }

    @SuppressWarnings("unchecked")
    private String renderedRules() throws Exception {
        Run rendered = run(Path.of("."), helm, "template", "t", CHART.toString(), "--set", "prometheusRule.enabled=true",
                "--show-only", "templates/prometheusrule.yaml");
        assertThat(rendered.exit()).as(rendered.output()).isZero();
        Map<String, Object> rule = (Map<String, Object>) new Yaml().load(rendered.output());
        Map<String, Object> spec = (Map<String, Object>) rule.get("spec");
        return new Yaml().dump(Map.of("groups", spec.get("groups")));
    }

    private static String testFile() throws IOException {
        try (InputStream in = NamespaceAlertRulesTest.class.getResourceAsStream("/promtool/" + TEST_FILE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private record Run(int exit, String output) {
    }

    private static Run run(Path workDir, String... argv) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(argv).directory(workDir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + List.of(argv));
        }
        return new Run(process.exitValue(), out);
    }

    private static String executable(String path, String installedBy) {
        if (!Files.isExecutable(Path.of(path))) {
            if (HostPrerequisites.onCi()) {
                Assertions.fail("CI=true but " + path + " is missing: run " + installedBy);
            }
            Assumptions.assumeTrue(false, "skipped: " + path + " not installed (" + installedBy + ")");
        }
        return path;
    }
}
