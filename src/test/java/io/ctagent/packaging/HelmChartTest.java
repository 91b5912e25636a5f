package io.ctagent.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.MockMvc;
import org.yaml.snakeyaml.Yaml;

import io.ctagent.testsupport.HostPrerequisites;

/**
 * The Helm chart: lint --strict, render with default and non-default values, and check the
 * rendered objects (host network, mounts, probes that the app really serves, secret wiring).
 * helm comes from scripts/install-helm.sh; without it the test skips, except on CI.
 */
@SpringBootTest
@AutoConfigureMockMvc
class HelmChartTest {

    private static final Path CHART = Path.of("helm/conntrack-agent");
    private static final String KEY_HASH = "a".repeat(64);

    private static String helm;

    @Autowired
    MockMvc mvc;

    @BeforeAll
    static void findHelm() {
        helm = Objects.requireNonNullElse(System.getenv("HELM"), "/usr/local/bin/helm");
        if (!Files.isExecutable(Path.of(helm))) {
            if (HostPrerequisites.onCi()) {
                Assertions.fail("CI=true but helm is missing: run scripts/install-helm.sh");
            }
            Assumptions.assumeTrue(false, "skipped: helm not installed (scripts/install-helm.sh)");
        }
    }

    @Test
    void lintsStrictlyWithDefaultAndNonDefaultValues() throws Exception {
        assertThat(helm("lint", "--strict", CHART.toString())).contains("0 chart(s) failed");
        assertThat(helm("lint", "--strict", CHART.toString(), "--set", "bindAddress=0.0.0.0",
                "--set", "existingSecret=keys", "--set", "privileged=false",
                "--set", "serviceMonitor.enabled=true", "--set", "prometheusRule.enabled=true"))
                .contains("0 chart(s) failed");
    }

    @Test
    void defaultsRenderAHostNetworkDaemonSetWithTheHostMountsOnLoopback() throws Exception {
        Map<String, Map<String, Object>> objects = render();

        Map<String, Object> podSpec = podSpec(objects);
        assertThat(podSpec).containsEntry("hostNetwork", true).containsEntry("hostPID", true);
        Map<String, Object> container = container(podSpec);
        assertThat(mountPaths(container)).contains("/host/proc", "/host/sys", "/host/etc/sysctl.d",
                "/host/etc/modprobe.d", "/host/run/netns", "/var/lib/conntrack-agent");
        assertThat(hostPaths(podSpec)).contains("/proc", "/sys", "/etc/sysctl.d", "/etc/modprobe.d", "/run/netns",
                "/var/lib/conntrack-agent");
        assertThat(at(container, "securityContext", "privileged")).isEqualTo(true);
        assertThat(objects).containsKeys("DaemonSet", "ConfigMap").doesNotContainKeys("Secret", "ServiceMonitor",
                "PrometheusRule");
        String config = (String) at(objects.get("ConfigMap"), "data", "application.yml");
        assertThat(config).contains("proc-root: /host/proc", "sys-root: /host/sys", "rootfs: /host",
                "address: \"127.0.0.1\"");
        Map<String, Object> tolerations = ((List<Map<String, Object>>) podSpec.get("tolerations")).get(0);
        assertThat(tolerations).containsEntry("operator", "Exists");
        assertThat(at(objects.get("DaemonSet"), "spec", "updateStrategy", "type")).isEqualTo("RollingUpdate");
    }

    @Test
    void probesPointAtPathsTheAgentServes() throws Exception {
        Map<String, Object> container = container(podSpec(render()));
        String liveness = (String) at(container, "livenessProbe", "httpGet", "path");
        String readiness = (String) at(container, "readinessProbe", "httpGet", "path");

        assertThat(liveness).isEqualTo("/actuator/health/liveness");
        assertThat(readiness).isEqualTo("/actuator/health/readiness");
        mvc.perform(get(liveness)).andExpect(status().isOk());
        mvc.perform(get(readiness)).andExpect(status().isOk());
        assertThat(at(container, "ports")).asString().contains("containerPort=9105");
    }

    @Test
    void apiKeyHashesAreWiredFromAGeneratedSecret() throws Exception {
        Map<String, Map<String, Object>> objects = render("--set", "bindAddress=0.0.0.0",
                "--set", "apiKeys[0].name=ops", "--set", "apiKeys[0].sha256=" + KEY_HASH,
                "--set", "apiKeys[0].roles[0]=operator");

        Map<String, Object> secret = objects.get("Secret");
        String keys = (String) at(secret, "stringData", "api-keys.yml");
        assertThat(keys).contains("sha256: \"" + KEY_HASH + "\"", "roles: [\"operator\"]", "name: \"ops\"");
        String secretName = (String) at(secret, "metadata", "name");
        assertThat(secretVolumes(podSpec(objects))).containsExactly(secretName);
        assertThat(mountPaths(container(podSpec(objects)))).contains("/config-keys");
    }

    @Test
    void anExistingSecretIsReferencedAndNoneIsGenerated() throws Exception {
        Map<String, Map<String, Object>> objects = render("--set", "bindAddress=0.0.0.0",
                "--set", "existingSecret=my-keys");

        assertThat(objects).doesNotContainKey("Secret");
        assertThat(secretVolumes(podSpec(objects))).containsExactly("my-keys");
    }

    @Test
    void exposingTheAgentWithoutKeysIsRefused() throws Exception {
        HelmRun run = run("template", "t", CHART.toString(), "--set", "bindAddress=0.0.0.0");

        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("apiKeys or existingSecret is required");
    }

    @Test
    void theSchemaRejectsBadValues() throws Exception {
        assertThat(run("template", "t", CHART.toString(), "--set", "port=0").output()).contains("port");
        assertThat(run("template", "t", CHART.toString(), "--set", "mode=yolo").exit()).isNotZero();
        assertThat(run("template", "t", CHART.toString(), "--set", "apiKeys[0].name=x",
                "--set", "apiKeys[0].sha256=short", "--set", "apiKeys[0].roles[0]=viewer").exit()).isNotZero();
    }

    @Test
    void monitoringObjectsRenderWhenEnabled() throws Exception {
        Map<String, Map<String, Object>> objects = render("--set", "serviceMonitor.enabled=true",
                "--set", "prometheusRule.enabled=true", "--set", "privileged=false");

        assertThat(at(objects.get("ServiceMonitor"), "spec", "endpoints")).asString()
                .contains("path=/actuator/prometheus");
        assertThat(at(objects.get("Service"), "spec", "clusterIP")).isEqualTo("None");
        assertThat(at(objects.get("PrometheusRule"), "spec")).asString()
                .contains("ctagent_conntrack_usage_ratio", "ctagent_table_full_events_total", "early_drop",
                        "ConntrackNamespaceUsageCritical", "ctagent_conntrack_fullest_usage_ratio");
        Map<String, Object> container = container(podSpec(objects));
        assertThat(at(container, "securityContext", "privileged")).isEqualTo(false);
        assertThat(at(container, "securityContext", "capabilities", "add")).asString()
                .contains("NET_ADMIN", "SYS_ADMIN");
        // Least privilege when not privileged: nothing but the listed capabilities, no escalation.
        assertThat(at(container, "securityContext", "capabilities", "drop")).asString().isEqualTo("[ALL]");
        assertThat(at(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(at(container, "securityContext", "seccompProfile", "type")).isEqualTo("RuntimeDefault");
    }

    // ---- helpers

    private record HelmRun(int exit, String output) {
    }

    private static HelmRun run(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        argv.add(helm);
        argv.addAll(List.of(args));
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new HelmRun(process.exitValue(), out);
    }

    private static String helm(String... args) throws Exception {
        HelmRun run = run(args);
        assertThat(run.exit()).as(run.output()).isZero();
        return run.output();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> render(String... values) throws Exception {
        List<String> args = new ArrayList<>(List.of("template", "t", CHART.toString()));
        args.addAll(List.of(values));
        Map<String, Map<String, Object>> byKind = new java.util.HashMap<>();
        for (Object doc : new Yaml().loadAll(helm(args.toArray(String[]::new)))) {
            if (doc instanceof Map<?, ?> map) {
                byKind.put((String) map.get("kind"), (Map<String, Object>) map);
            }
        }
        return byKind;
    }

    @SuppressWarnings("unchecked")
    private static Object at(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            current = ((Map<String, Object>) current).get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> podSpec(Map<String, Map<String, Object>> objects) {
        return (Map<String, Object>) at(objects.get("DaemonSet"), "spec", "template", "spec");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> container(Map<String, Object> podSpec) {
        return ((List<Map<String, Object>>) podSpec.get("containers")).get(0);
    }

    @SuppressWarnings("unchecked")
    private static List<String> mountPaths(Map<String, Object> container) {
        return ((List<Map<String, Object>>) container.get("volumeMounts")).stream()
                .map(m -> (String) m.get("mountPath")).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> hostPaths(Map<String, Object> podSpec) {
        return ((List<Map<String, Object>>) podSpec.get("volumes")).stream()
                .filter(v -> v.containsKey("hostPath"))
                .map(v -> (String) at(v, "hostPath", "path")).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> secretVolumes(Map<String, Object> podSpec) {
        return ((List<Map<String, Object>>) podSpec.get("volumes")).stream()
                .filter(v -> v.containsKey("secret"))
                .map(v -> (String) at(v, "secret", "secretName")).toList();
    }
}
