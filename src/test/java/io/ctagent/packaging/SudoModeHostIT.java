package io.ctagent.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ctagent.testsupport.AgentProcess;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.KernelValues;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.testsupport.TrafficGenerator;
import tools.jackson.databind.JsonNode;

/**
 * The packaged jar run as a throw-away unprivileged user in sudo mode with the shipped sudoers file and the
 * shipped root helper launcher, as the systemd unit runs it. Two halves:
 * <ul>
 * <li>every feature still works through sudo: reads, a sysctl change with persistence, the hash size, a
 * filtered flush, NOTRACK create and delete in a lab namespace;</li>
 * <li>the escapes a compromised agent would try, run as that user with {@code sudo -n} directly, all fail and
 * leave the host's files, sysctls and rules as they were.</li>
 * </ul>
 * The user, the sudoers file, the helper and every file the test wrote are removed afterwards, pass or fail.
 */
class SudoModeHostIT {

    private static final String USER = "ctagent-it";
    private static final Path SUDOERS = Path.of("/etc/sudoers.d/zz-ctagent-it");
    private static final String KEY = "net.netfilter.nf_conntrack_tcp_timeout_close";
    private static final Path DROP_IN = Path.of("/etc/sysctl.d/90-conntrack-agent.conf");
    private static final Path MODPROBE = Path.of("/etc/modprobe.d/conntrack-agent.conf");
    private static final Path PWNED = Path.of("/tmp/ctagent-it-pwned");

    private static AgentProcess agent;
    private static Path work;
    private static Path helperDir;
    private static Path installedJar;
    private static Path helper;
    private static Path secret;
    private static final Map<Path, Optional<String>> SAVED = new LinkedHashMap<>();

    @BeforeAll
    static void startAgentAsUnprivilegedUser() throws Exception {
        HostPrerequisites.require("sudo", "sysctl", "useradd", "userdel", "runuser", "visudo", "nft", "iptables",
                "conntrack", "nsenter", "ip");
        for (Path file : List.of(DROP_IN, MODPROBE)) {
            SAVED.put(file, Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty());
        }
        if (!userExists()) {
            LabNamespace.run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER);
        }
        // The shipped launcher, with a copy of this build's jar and the JDK: root-owned, in a root-owned directory
        // whose parents no one else may write (the launcher checks that; the checkout may sit under /tmp).
        helperDir = Files.createTempDirectory(Path.of("/var/lib"), "ctagent-root-helper");
        Files.setPosixFilePermissions(helperDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        installedJar = helperDir.resolve("conntrack-agent.jar");
        Files.copy(AgentProcess.jar(), installedJar);
        Files.setPosixFilePermissions(installedJar, PosixFilePermissions.fromString("rw-r--r--"));
        helper = helperDir.resolve("conntrack-agent-root");
        Files.writeString(helper, Files.readString(Path.of("bin/conntrack-agent-root"))
                .replace("JAVA=/usr/bin/java", "JAVA=" + javaBinary())
                .replace("JAR=/opt/conntrack-agent/conntrack-agent.jar", "JAR=" + installedJar));
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));

        String shipped = Files.readString(Path.of("packaging/sudoers.d/conntrack-agent"));
        Files.writeString(SUDOERS, shipped.replace("Defaults:conntrack-agent", "Defaults:" + USER)
                .replace("\nconntrack-agent ALL", "\n" + USER + " ALL")
                .replace("/usr/local/sbin/conntrack-agent-root", helper.toString()));
        Files.setPosixFilePermissions(SUDOERS, PosixFilePermissions.fromString("r--r-----"));
        LabNamespace.run("visudo", "-c", "-f", SUDOERS.toString());

        secret = Files.createTempFile("ctagent-it-secret", ".txt");
        Files.writeString(secret, "ctagent-it-secret-7f3a9c\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));

        work = Files.createTempDirectory("ctagent-sudo-it");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        agent = AgentProcess.launch(work, List.of(HostPrerequisites.which("runuser"), "-u", USER, "--",
                javaBinary(), "-jar", AgentProcess.jar().toString()), Map.of(),
                "--ctagent.host.mode=sudo",
                "--ctagent.host.tool-path=" + helperDir + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                // This machine's own namespace: the host's firewall stays as it was.
                "--ctagent.lifeline.enabled=false",
                "--ctagent.audit.path=" + work.resolve("audit.jsonl"),
                "--ctagent.notrack.state-file=" + work.resolve("notrack.json"));
    }

    @AfterAll
    static void stopAndClean() throws Exception {
        if (agent != null) {
            agent.close();
        }
        Files.deleteIfExists(SUDOERS);
        restoreManagedFiles();
        Files.deleteIfExists(PWNED);
        if (secret != null) {
            Files.deleteIfExists(secret);
        }
        if (helperDir != null) {
            Files.deleteIfExists(helper);
            Files.deleteIfExists(installedJar);
            Files.deleteIfExists(helperDir);
        }
        if (userExists()) {
            LabNamespace.run("userdel", USER);
        }
    }

    // --- every feature still works in sudo mode ---

    @Test
    void theAgentRunsUnprivilegedInSudoMode() throws Exception {
        HttpResponse<String> info = send("GET", "/api/v1/agent", null);

        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(info.body()).contains("\"mode\":\"SUDO\"", "\"root\":false");
    }

    @Test
    void readsWorkThroughTheExactReadCommands() throws Exception {
        HttpResponse<String> summary = send("GET", "/api/v1/conntrack/entries/summary?groupBy=protocol", null);
        assertThat(summary.statusCode()).as(summary.body()).isEqualTo(200);
        assertThat(summary.body()).contains("\"total\"");
        // The hashsize parameter of a built-in nf_conntrack is root-only (0600): read through sudo cat.
        HttpResponse<String> ownUsage = send("GET", "/api/v1/conntrack/usage", null);
        assertThat(ownUsage.statusCode()).as(ownUsage.body()).isEqualTo(200);
        assertThat(send("GET", "/api/v1/hashsize", null).statusCode()).isEqualTo(200);

        try (LabNamespace lab = LabNamespace.create()) {
            HttpResponse<String> usage = send("GET", "/api/v1/conntrack/usage?netns=" + lab.name(), null);
            HttpResponse<String> sysctl = send("GET", "/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout?netns="
                    + lab.name(), null);
            HttpResponse<String> rules = send("GET", "/api/v1/notrack/rules?include=foreign&netns=" + lab.name(), null);
            HttpResponse<String> sysctls = send("GET", "/api/v1/sysctls?netns=" + lab.name(), null);

            assertThat(usage.statusCode()).as(usage.body()).isEqualTo(200);
            assertThat(sysctl.statusCode()).as(sysctl.body()).isEqualTo(200);
            assertThat(rules.statusCode()).as(rules.body()).isEqualTo(200);
            assertThat(sysctls.statusCode()).as(sysctls.body()).isEqualTo(200);
            assertThat(sysctls.body()).contains("nf_conntrack_udp_timeout");
        }
    }

    @Test
    void aSysctlChangeIsPersistedThroughTheRootHelper() throws Exception {
        long original = KernelValues.read(KEY);
        long changed = original == 11 ? 12 : 11;
        try {
            HttpResponse<String> put = send("PUT", "/api/v1/sysctls/" + KEY,
                    "{\"value\": " + changed + ", \"persist\": true}");

            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            assertThat(put.body()).contains("\"applied\":true", "/usr/sbin/sysctl", helper.toString(), "persist")
                    .doesNotContain("/usr/bin/dd", "/usr/bin/mv");
            assertThat(KernelValues.read(KEY)).isEqualTo(changed);
            assertThat(Files.readString(DROP_IN)).contains(KEY + " = " + changed);
        } finally {
            LabNamespace.run("sysctl", "-w", KEY + "=" + original);
            restoreManagedFiles();
        }
    }

    @Test
    void theHashSizeChangesAndPersistsInSudoMode() throws Exception {
        long max = KernelValues.read("net.netfilter.nf_conntrack_max");
        long buckets = KernelValues.read("net.netfilter.nf_conntrack_buckets");
        assertThat(buckets).as("nf_conntrack_buckets before the test").isGreaterThanOrEqualTo(1024);
        long wanted = buckets + 512;
        try {
            HttpResponse<String> put = send("PUT", "/api/v1/hashsize", "{\"value\": " + wanted + ", \"persist\": true}");

            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            assertThat(put.body()).contains("\"applied\":true");
            assertThat(KernelValues.read("net.netfilter.nf_conntrack_buckets")).isEqualTo(wanted);
            assertThat(Files.readString(DROP_IN)).contains("net.netfilter.nf_conntrack_buckets = " + wanted);
        } finally {
            LabNamespace.run("sysctl", "-w", "net.netfilter.nf_conntrack_buckets=" + buckets);
            LabNamespace.run("sysctl", "-w", "net.netfilter.nf_conntrack_max=" + max);
            restoreManagedFiles();
        }
        assertThat(KernelValues.read("net.netfilter.nf_conntrack_buckets")).isEqualTo(buckets);
    }

    @Test
    void aFilteredFlushDeletesInALabNamespace() throws Exception {
        try (LabNamespace lab = LabNamespace.create()) {
            lab.exec("sysctl", "-q", "-w", "net.netfilter.nf_conntrack_udp_timeout=600");
            TrafficGenerator.runIn(lab, "udp-spray", "5", "9", "127.0.1.1");
            // As many entries the filter leaves alone: more than half the table is a flush (the share guard).
            TrafficGenerator.runIn(lab, "udp-spray", "5", "10", "127.0.2.1");
            assertThat(lab.conntrackCount()).isEqualTo(10);

            HttpResponse<String> flush = send("POST", "/api/v1/conntrack/flush?netns=" + lab.name(),
                    "{\"filter\": {\"protocol\": \"udp\", \"dport\": 9}}");

            assertThat(flush.statusCode()).as(flush.body()).isEqualTo(200);
            assertThat(flush.body()).contains("\"deleted\":5", "\"-D\"", "\"--dport\"");
            assertThat(lab.conntrackCount()).isEqualTo(5);
        }
    }

    @Test
    void aNotrackRuleIsCreatedAndDeletedInALabNamespaceThroughTheHelper() throws Exception {
        try (LabNamespace lab = LabNamespace.create()) {
            HttpResponse<String> created = send("POST", "/api/v1/notrack/rules?netns=" + lab.name(),
                    "{\"direction\": \"BOTH\", \"protocol\": \"udp\", \"dports\": 5353}");

            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(created.body()).contains("\"applied\":true", helper.toString(), "nft-apply", lab.name());
            String id = created.body().replaceAll("(?s).*\"after\":\\{[^}]*?\"id\":\"([0-9a-f]{8})\".*", "$1");
            assertThat(id).matches("[0-9a-f]{8}");
            assertThat(lab.exec("nft", "list", "table", "inet", "conntrack_agent")).contains("ctagent:" + id);

            HttpResponse<String> deleted = send("DELETE", "/api/v1/notrack/rules/" + id + "?netns=" + lab.name(), null);

            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
            assertThat(lab.exec("nft", "list", "table", "inet", "conntrack_agent")).doesNotContain("ctagent:" + id);
        }
    }

    @Test
    void theLifelineIsInstalledThroughTheHelperForAnAgentInALabNamespace() throws Exception {
        try (LabNamespace lab = LabNamespace.create();
             AgentProcess inLab = AgentProcess.launchIn(lab.name(), 9105, work, List.of(HostPrerequisites.which("ip"),
                             "netns", "exec", lab.name(), HostPrerequisites.which("runuser"), "-u", USER, "--",
                             javaBinary(), "-jar", AgentProcess.jar().toString()),
                     "--ctagent.host.mode=sudo",
                     "--ctagent.host.tool-path=" + helperDir + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                     "--ctagent.lifeline.enabled=true",
                     "--ctagent.audit.path=" + work.resolve("lab-audit.jsonl"),
                     "--ctagent.notrack.state-file=" + work.resolve("lab-notrack.json"))) {
            JsonNode lifeline = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                lifeline = inLab.api().get("/api/v1/agent").get("lifeline");
                if (lifeline.path("installed").asBoolean() || lifeline.hasNonNull("reason")
                        && !lifeline.get("reason").asString().contains("not listening")) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
            assertThat(lifeline.get("installed").asBoolean()).as("installed by the service user through sudo: "
                    + lifeline + "\n" + inLab.log()).isTrue();
            // The kernel holds the rule, with the local-destination match the root helper allows only here.
            assertThat(lab.execStdout("nft", "list", "table", "inet", "conntrack_agent"))
                    .contains("tcp dport 9105 fib daddr type local", "ctagent:lifeline");
            assertThat(Files.readString(work.resolve("lab-audit.jsonl"))).contains("\"action\":\"notrack.lifeline.add\"",
                    "\"result\":\"APPLIED\"");
        }
    }

    @Test
    void aManagedFileWithAForeignLineIsRefusedByTheHelperAsAProblemNotAHang() throws Exception {
        long original = KernelValues.read(KEY);
        String foreign = "net.ipv4.tcp_keepalive_time = 7200\n";
        Files.writeString(DROP_IN, foreign);
        long started = System.nanoTime();
        try {
            HttpResponse<String> put = send("PUT", "/api/v1/sysctls/" + KEY,
                    "{\"value\": " + (original + 1) + ", \"persist\": true}");

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(put.statusCode()).as(put.body()).isGreaterThanOrEqualTo(500);
            assertThat(put.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(put.body()).contains("refused", "net.ipv4.tcp_keepalive_time")
                    .doesNotContain("Exception", "\tat ");
            assertThat(Files.readString(DROP_IN)).isEqualTo(foreign);
        } finally {
            LabNamespace.run("sysctl", "-w", KEY + "=" + original);
            restoreManagedFiles();
        }
    }

    // --- the escapes: each fails, and nothing on the host changes ---

    @Test
    void aModprobeInstallLineCannotBeWritten() throws Exception {
        String install = "install nft_osf /bin/sh -c 'touch " + PWNED + "'\n";
        refusedAndNothingChanged(install, helper.toString(), "persist", MODPROBE.toString());
        refusedAndNothingChanged("options nf_conntrack hashsize=1\n" + install, helper.toString(), "persist",
                MODPROBE.toString());
        refusedAndNothingChanged(install, "/usr/bin/dd", "of=" + MODPROBE, "status=none");
        refusedAndNothingChanged(install, "/usr/bin/dd", "of=/etc/modprobe.d/.conntrack-agent.conf.ctagent-tmp",
                "conv=fsync", "status=none");
        refusedAndNothingChanged(install, "/usr/bin/tee", MODPROBE.toString());
        refusedAndNothingChanged(install, helper.toString(), "persist", "/etc/modprobe.d/evil.conf");
    }

    @Test
    void aSysctlDropInCannotSetCorePatternOrModprobe() throws Exception {
        for (String line : List.of("kernel.core_pattern = |/bin/sh -c 'touch " + PWNED + "'\n",
                "kernel.modprobe = /tmp/ctagent-it-modprobe\n",
                "net.netfilter.nf_conntrack_max = 262144\nkernel.core_pattern=|/tmp/x\n")) {
            refusedAndNothingChanged(line, helper.toString(), "persist", DROP_IN.toString());
        }
        refusedAndNothingChanged("", "/usr/sbin/sysctl", "-w", "kernel.core_pattern=|/tmp/x");
        refusedAndNothingChanged("", "/usr/sbin/sysctl", "-w", "net.netfilter.nf_conntrack_max=1",
                "kernel.modprobe=/tmp/x");
        refusedAndNothingChanged("", "/usr/sbin/sysctl", "-p", "/tmp/x.conf");
        refusedAndNothingChanged("kernel.core_pattern=|/tmp/x\n", "/usr/bin/mv", "-f", "/tmp/x",
                "/etc/sysctl.d/90-conntrack-agent.conf");
    }

    @Test
    void anNftIncludeOfARootOnlyFileIsRefusedAndLeaksNothing() throws Exception {
        String include = "include \"" + secret + "\"\n";
        Attempt helperTry = refusedAndNothingChanged(include, helper.toString(), "nft-apply");
        Attempt nftTry = refusedAndNothingChanged(include, "/usr/sbin/nft", "-f", "-");
        Attempt fileTry = refusedAndNothingChanged("", "/usr/sbin/nft", "-f", secret.toString());

        for (Attempt attempt : List.of(helperTry, nftTry, fileTry)) {
            assertThat(attempt.output()).doesNotContain("7f3a9c");
        }
    }

    @Test
    void anNftScriptTouchingAnotherTableIsRefused() throws Exception {
        for (String script : List.of("add table inet ctagent_it_foreign\n",
                "add table inet conntrack_agent\nflush ruleset\n",
                "add rule inet filter input udp dport 53 counter notrack comment \"ctagent:0a1b2c3d\"\n",
                "delete table inet conntrack_agent\n")) {
            refusedAndNothingChanged(script, helper.toString(), "nft-apply");
        }
        refusedAndNothingChanged("", "/usr/sbin/nft", "add", "table", "inet", "ctagent_it_foreign");
        refusedAndNothingChanged("", "/usr/sbin/nft", "flush", "ruleset");
    }

    @Test
    void iptablesModprobeAndOptionsTheAgentNeverSendsAreRefused() throws Exception {
        List<String> raw = List.of("/usr/sbin/iptables", "-w", "5", "-t", "raw");
        refusedAndNothingChanged("", concat(raw, "-A", "CTAGENT-NOTRACK-OUTPUT", "--modprobe", "/tmp/x", "-m",
                "comment", "--comment", "ctagent:0a1b2c3d", "-j", "CT", "--notrack"));
        refusedAndNothingChanged("", concat(raw, "--modprobe=/tmp/x", "-N", "CTAGENT-NOTRACK-OUTPUT"));
        refusedAndNothingChanged("", concat(raw, "-A", "CTAGENT-NOTRACK-OUTPUT", "-m", "string", "--string", "x",
                "--algo", "bm", "-m", "comment", "--comment", "ctagent:0a1b2c3d", "-j", "CT", "--notrack"));
        refusedAndNothingChanged("", concat(raw, "-A", "CTAGENT-NOTRACK-OUTPUT", "-p", "udp", "--dport", "53", "-m",
                "comment", "--comment", "ctagent:0a1b2c3d", "-j", "DROP"));
        refusedAndNothingChanged("", concat(raw, "-F"));
        refusedAndNothingChanged("", concat(raw, "-D", "PREROUTING", "1"));
    }

    @Test
    void conntrackOptionsTheAgentNeverSendsAreRefused() throws Exception {
        refusedAndNothingChanged("", "/usr/sbin/conntrack", "-D", "-p", "tcp", "--timeout", "1");
        refusedAndNothingChanged("", "/usr/sbin/conntrack", "-U", "-m", "1");
        refusedAndNothingChanged("", "/usr/sbin/conntrack", "-I", "-p", "udp", "-s", "127.0.0.1", "-d",
                "127.0.0.2", "--sport", "1", "--dport", "2", "-t", "10");
        refusedAndNothingChanged("", "/usr/sbin/conntrack", "-L", "-o", "xml");
        refusedAndNothingChanged("", "/usr/sbin/conntrack", "-D", "-p", "udp", "--dport", "9", "--orig-zone", "1");
    }

    @Test
    void aNamespacePathOutsideRunNetnsIsRefused() throws Exception {
        refusedAndNothingChanged("", "/usr/bin/nsenter", "--net=/proc/1/ns/net", "--", "/usr/sbin/sysctl", "-w",
                KEY + "=1");
        refusedAndNothingChanged("", "/usr/bin/nsenter", "--net=/run/netns/../../proc/1/ns/net", "--",
                "/usr/sbin/sysctl", "-w", KEY + "=1");
        refusedAndNothingChanged("", "/usr/bin/nsenter", "--net=/run/netns/x", "--mount=/proc/1/ns/mnt", "--",
                "/usr/sbin/sysctl", "-w", KEY + "=1");
        refusedAndNothingChanged("add table inet conntrack_agent\n", helper.toString(), "nft-apply", "--netns",
                "../../proc/1/ns/net");
        refusedAndNothingChanged("add table inet conntrack_agent\n", helper.toString(), "nft-apply", "--netns",
                "/proc/1/ns/net");
        refusedAndNothingChanged("add table inet conntrack_agent\n", helper.toString(), "nft-apply", "--netns",
                "ctagent-it-no-such-ns");
    }

    @Test
    void aRootOnlySysctlOfANamespaceCannotBeRead() throws Exception {
        // tcp_fastopen_key is mode 0600: the secret that signs TCP Fast Open cookies. The agent reads conntrack
        // and keepalive sysctls only, so sudo must not read this one for the service user.
        String key = "0a1b2c3d-4e5f6071-8293a4b5-c6d7e8f9";
        try (LabNamespace lab = LabNamespace.create()) {
            lab.exec("sysctl", "-q", "-w", "net.ipv4.tcp_fastopen_key=" + key);
            Attempt attempt = refusedAndNothingChanged("", "/usr/bin/nsenter", "--net=/run/netns/" + lab.name(), "--",
                    "/usr/sbin/sysctl", "-e", "net.ipv4.tcp_fastopen_key");
            Attempt withAManagedKey = refusedAndNothingChanged("", "/usr/bin/nsenter", "--net=/run/netns/"
                    + lab.name(), "--", "/usr/sbin/sysctl", "-e", KEY, "net.ipv4.tcp_fastopen_key");

            assertThat(attempt.output() + withAManagedKey.output()).doesNotContain("8293a4b5");
        }
    }

    @Test
    void theLauncherWillNotRunAJarTheServiceUserCouldReplace() throws Exception {
        // An install where the agent's user owns the jar's directory (a chown -R for the CDS archive, say): that
        // user could put any code there, and sudo would run it as root. The launcher refuses before java starts.
        Path owned = Files.createTempDirectory(helperDir, "ctagent-it-user-owned");
        Path launcher = helperDir.resolve("conntrack-agent-root-user-jar");
        try {
            Files.createLink(owned.resolve("conntrack-agent.jar"), installedJar);
            LabNamespace.run("chown", USER, owned.toString());
            Files.writeString(launcher, Files.readString(helper).replace("JAR=" + installedJar,
                    "JAR=" + owned.resolve("conntrack-agent.jar")));
            Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
            Process run = new ProcessBuilder(launcher.toString(), "nft-apply").redirectErrorStream(true).start();
            run.getOutputStream().close();
            String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();

            assertThat(run.exitValue()).as(output).isEqualTo(1);
            assertThat(output).contains("will not run", owned.toString()).doesNotContain("refused:");
        } finally {
            Files.deleteIfExists(launcher);
            Files.deleteIfExists(owned.resolve("conntrack-agent.jar"));
            Files.deleteIfExists(owned);
        }
    }

    // --- how an escape is tried and checked ---

    private record Attempt(int exit, String output) {
    }

    /** What an escape could change: the managed directories, the dangerous sysctls, every rule. */
    private record HostState(String modprobeDir, String sysctlDir, String corePattern, String modprobe, String nft,
                             String iptables, String ip6tables, boolean pwned) {
    }

    private static HostState hostState() throws Exception {
        return new HostState(directory(Path.of("/etc/modprobe.d")), directory(Path.of("/etc/sysctl.d")),
                Files.readString(Path.of("/proc/sys/kernel/core_pattern")),
                // Absent on a kernel without loadable modules.
                Files.exists(Path.of("/proc/sys/kernel/modprobe")) ? Files.readString(Path.of("/proc/sys/kernel/modprobe"))
                        : "(absent)",
                LabNamespace.run("nft", "list", "ruleset"),
                LabNamespace.run("iptables-save"),
                LabNamespace.run("ip6tables-save"),
                Files.exists(PWNED));
    }

    private static String directory(Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(dir).sorted()) {
            for (Path file : files.toList()) {
                all.append("== ").append(file.getFileName()).append('\n');
                if (Files.isRegularFile(file)) {
                    all.append(Files.readString(file));
                }
            }
        }
        return all.toString();
    }

    private static Attempt refusedAndNothingChanged(String stdin, List<String> command) throws Exception {
        return refusedAndNothingChanged(stdin, command.toArray(String[]::new));
    }

    /** Runs {@code sudo -n COMMAND} as the unprivileged user; it must fail and leave the host as it was. */
    private static Attempt refusedAndNothingChanged(String stdin, String... command) throws Exception {
        HostState before = hostState();
        List<String> argv = new ArrayList<>(List.of(HostPrerequisites.which("runuser"), "-u", USER, "--",
                HostPrerequisites.which("sudo"), "-n"));
        argv.addAll(List.of(command));
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try (var in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException closedEarly) {
            // sudo refused before reading stdin
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Attempt attempt = new Attempt(process.exitValue(), output);

        assertThat(attempt.exit()).as("sudo -n %s\n%s", String.join(" ", command), output).isNotZero();
        assertThat(hostState()).as("the host after sudo -n %s", String.join(" ", command)).isEqualTo(before);
        assertThat(PWNED).doesNotExist();
        return attempt;
    }

    private static List<String> concat(List<String> prefix, String... args) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(List.of(args));
        return all;
    }

    private static void restoreManagedFiles() throws IOException {
        for (Map.Entry<Path, Optional<String>> saved : SAVED.entrySet()) {
            if (saved.getValue().isPresent()) {
                Files.writeString(saved.getKey(), saved.getValue().get());
            } else {
                Files.deleteIfExists(saved.getKey());
            }
        }
    }

    /** An operator's request to the agent (reads included). */
    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return agent.api().send(method, path, TestApiKeys.OPERATOR, body);
    }

    private static boolean userExists() throws IOException {
        return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(line -> line.startsWith(USER + ":"));
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
