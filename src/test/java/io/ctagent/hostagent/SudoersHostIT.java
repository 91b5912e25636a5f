package io.ctagent.hostagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.testsupport.HostPrerequisites;

/**
 * packaging/sudoers.d/conntrack-agent against the argument lists the agent really builds in sudo
 * mode: each must be allowed, and near-misses (an extra argument, another path) refused. sudo is
 * asked with {@code sudo -l -U nobody <command>} in a private mount namespace where the file (for
 * user nobody) is bind-mounted over /etc/sudoers.d, so the host's sudo configuration is untouched.
 */
class SudoersHostIT {

    private static final Path SUDOERS = Path.of("packaging/sudoers.d/conntrack-agent");

    @TempDir
    static Path temp;

    private static Path dir;
    private static String helper;
    private static HostWriter writer;
    private static HostAgent host;

    @BeforeAll
    static void prepare() throws IOException {
        HostPrerequisites.require("sudo", "visudo", "unshare", "mount", "sysctl", "nsenter", "cat", "nft",
                "iptables", "conntrack");
        dir = temp.resolve("sudoers.d");
        Files.createDirectories(dir);
        // A stand-in for the root helper at a path of this test's own: sudo -l only needs it to exist.
        Path bin = Files.createDirectories(temp.resolve("bin"));
        helper = bin.resolve("conntrack-agent-root").toString();
        Files.writeString(Path.of(helper), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(Path.of(helper), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = dir.resolve("conntrack-agent");
        Files.writeString(file, Files.readString(SUDOERS)
                .replace("Defaults:conntrack-agent", "Defaults:nobody")
                .replace("\nconntrack-agent ALL", "\nnobody ALL")
                .replace("/usr/local/sbin/conntrack-agent-root", helper));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r-----"));
        HostProperties properties = new HostProperties("/proc", "/sys", "/", HostMode.SUDO,
                java.time.Duration.ofSeconds(10), 1 << 20, bin + ":" + TestHostProperties.TOOL_PATH);
        CommandRunner runner = new CommandRunner(properties);
        host = new HostAgent(properties, new HostPaths(properties), new Tools(properties), runner);
        writer = new HostWriter(host, runner);
    }

    @Test
    void theShippedFileParses() throws Exception {
        assertThat(run(List.of(HostPrerequisites.which("visudo"), "-c", "-f", SUDOERS.toString())).exit).isZero();
    }

    @Test
    void everyCommandTheAgentBuildsInSudoModeIsAllowed() throws Exception {
        NetnsTarget lab = NetnsTarget.parse("ctlab-0a1b2c3d");
        List<List<String>> commands = new ArrayList<>();
        commands.add(writer.sysctlCommand(NetnsTarget.OWN, "net.netfilter.nf_conntrack_max", 524288));
        commands.add(writer.sysctlCommand(NetnsTarget.OWN, "net.nf_conntrack_max", 524288));
        commands.add(writer.sysctlCommand(NetnsTarget.OWN, "net.netfilter.nf_conntrack_buckets", 524288));
        commands.add(writer.sysctlCommand(lab, "net.netfilter.nf_conntrack_udp_timeout", 45));
        commands.add(writer.sysParameterCommand("module/nf_conntrack/parameters/hashsize", 262144));
        commands.addAll(writer.replaceFileCommands("etc/sysctl.d/90-conntrack-agent.conf"));
        commands.addAll(writer.replaceFileCommands("etc/modprobe.d/conntrack-agent.conf"));
        commands.add(host.argv(lab, Tool.SYSCTL, List.of("-e", "net.netfilter.nf_conntrack_max",
                "net.netfilter.nf_conntrack_udp_timeout", "net.ipv4.tcp_keepalive_time")));
        // GET /sysctls?netns= asks for every managed key, the initial namespace's net.nf_conntrack_max too.
        commands.add(host.argv(lab, Tool.SYSCTL, List.of("-e", "net.netfilter.nf_conntrack_acct",
                "net.nf_conntrack_max")));
        commands.add(host.argv(lab, Tool.CAT, List.of("/proc/sys/net/netfilter/nf_conntrack_count")));
        commands.add(host.argv(lab, Tool.CAT, List.of("/proc/net/stat/nf_conntrack")));
        commands.add(host.argv(lab, Tool.CAT, List.of("/proc/net/ip6_tables_names")));
        commands.add(host.argv(NetnsTarget.OWN, Tool.CAT, List.of("/proc/net/nf_conntrack")));
        commands.add(host.argv(NetnsTarget.OWN, Tool.CAT, List.of("/sys/module/nf_conntrack/parameters/hashsize")));
        commands.add(host.argv(NetnsTarget.OWN, Tool.NFT, List.of("-f", "-")));
        commands.add(host.argv(lab, Tool.NFT, List.of("-f", "-")));
        commands.add(host.argv(lab, Tool.CONNTRACK, List.of("-L", "-o", "extended")));
        commands.add(host.argv(NetnsTarget.OWN, Tool.CONNTRACK, List.of("-F")));
        // entries/DeleteCommand: every option it sends, in its order, and a few on their own.
        commands.add(host.argv(lab, Tool.CONNTRACK, List.of("-D", "-f", "ipv4", "-p", "udp", "-s", "10.0.0.0/8", "-d",
                "127.0.1.0/24", "-r", "10.0.0.1", "-q", "10.0.0.2", "--sport", "1", "--dport", "9", "--state",
                "ESTABLISHED", "-w", "1", "-m", "1/0xff", "-u", "ASSURED,SEEN_REPLY")));
        commands.add(host.argv(NetnsTarget.OWN, Tool.CONNTRACK, List.of("-D", "-f", "ipv6", "-d", "2001:db8::/32")));
        commands.add(host.argv(NetnsTarget.OWN, Tool.CONNTRACK, List.of("-D", "-p", "tcp", "--state", "TIME_WAIT")));

        assertThat(commands).filteredOn(command -> command.contains(helper)).hasSize(5);
        for (List<String> command : commands) {
            assertThat(command.subList(0, 2)).containsExactly(HostPrerequisites.which("sudo"), "-n");
            assertThat(allowed(command.subList(2, command.size()))).as(String.join(" ", command)).isTrue();
        }
    }

    /** The argument lists of the notrack feature (IptablesRules, NftablesBackend), spelled out. */
    @Test
    void notrackCommandsAreAllowed() throws Exception {
        String iptables = HostPrerequisites.which("iptables");
        String nft = HostPrerequisites.which("nft");
        String nsenter = HostPrerequisites.which("nsenter");
        List<String> raw = List.of("-w", "5", "-t", "raw");
        for (List<String> command : List.of(
                List.of(nft, "-j", "list", "table", "inet", "conntrack_agent"),
                List.of(nft, "-a", "list", "ruleset"),
                List.of(nsenter, "--net=/run/netns/ctlab-1", "--", nft, "-a", "list", "ruleset"),
                concat(iptables, raw, "-v", "-S"),
                List.of(iptables, "-w", "5", "-t", "nat", "-v", "-S"),
                concat(iptables, raw, "-N", "CTAGENT-NOTRACK-PREROUTING"),
                concat(iptables, raw, "-A", "OUTPUT", "-m", "comment", "--comment", "ctagent:jump", "-j",
                        "CTAGENT-NOTRACK-OUTPUT"),
                concat(iptables, raw, "-A", "CTAGENT-NOTRACK-PREROUTING", "-i", "eth0", "-s", "10.0.0.0/8", "-p", "udp",
                        "--dport", "53", "-m", "comment", "--comment", "ctagent:0a1b2c3d", "-j", "CT", "--notrack"),
                concat(iptables, raw, "-A", "CTAGENT-NOTRACK-OUTPUT", "-p", "tcp", "-m", "multiport", "--dports",
                        "80,443,8000:8100", "-m", "comment", "--comment", "ctagent:0a1b2c3d", "-j", "CT", "--notrack"),
                concat(iptables, raw, "-D", "CTAGENT-NOTRACK-OUTPUT", "3"),
                concat(nsenter, List.of("--net=/run/netns/ctlab-1", "--", iptables, "-w", "5", "-t", "raw"), "-D",
                        "CTAGENT-NOTRACK-OUTPUT", "3"))) {
            assertThat(allowed(command)).as(String.join(" ", command)).isTrue();
        }
        for (List<String> command : List.of(
                concat(iptables, raw, "-F"),
                concat(iptables, raw, "-D", "PREROUTING", "1"),
                concat(iptables, raw, "-A", "PREROUTING", "-j", "CT", "--notrack"),
                concat(iptables, raw, "-A", "CTAGENT-NOTRACK-OUTPUT", "-j", "DROP"),
                concat(iptables, raw, "-A", "CTAGENT-NOTRACK-OUTPUT", "--modprobe", "/tmp/x", "-m", "comment",
                        "--comment", "ctagent:0a1b2c3d", "-j", "CT", "--notrack"),
                concat(iptables, raw, "-A", "CTAGENT-NOTRACK-OUTPUT", "-m", "string", "--string", "x", "--algo", "bm",
                        "-m", "comment", "--comment", "ctagent:0a1b2c3d", "-j", "CT", "--notrack"),
                concat(iptables, raw, "-A", "CTAGENT-NOTRACK-OUTPUT", "-i", "eth0 -j DROP", "-m", "comment",
                        "--comment", "ctagent:0a1b2c3d", "-j", "CT", "--notrack"),
                List.of(nft, "flush", "ruleset"),
                List.of(nft, "-f", "-"),
                List.of(nsenter, "--net=/run/netns/ctlab-1", "--", nft, "-f", "-"),
                List.of(nft, "-f", "/tmp/evil.nft"))) {
            assertThat(allowed(command)).as(String.join(" ", command)).isFalse();
        }
    }

    private static List<String> concat(String binary, List<String> prefix, String... args) {
        List<String> all = new ArrayList<>();
        all.add(binary);
        all.addAll(prefix);
        all.addAll(List.of(args));
        return all;
    }

    @Test
    void nearMissesAreRefused() throws Exception {
        String sysctl = HostPrerequisites.which("sysctl");
        String nsenter = HostPrerequisites.which("nsenter");
        String dd = HostPrerequisites.which("dd");
        String conntrack = HostPrerequisites.which("conntrack");
        for (List<String> command : List.of(
                List.of(helper, "persist", "/etc/shadow"),
                List.of(helper, "persist", "/etc/sysctl.d/91-other.conf"),
                List.of(helper, "set-hashsize", "1 2"),
                List.of(helper, "nft-apply", "--netns", "/proc/1/ns/net"),
                List.of(helper, "--cds-training"),
                List.of(conntrack, "-D", "-p", "tcp", "--timeout", "1"),
                List.of(conntrack, "-U", "-m", "1"),
                List.of(conntrack, "-L", "-o", "xml"),
                List.of(conntrack, "-D", "--orig-zone", "1"),
                List.of(nsenter, "--net=/proc/1/ns/net", "--", sysctl, "-w", "net.netfilter.nf_conntrack_udp_timeout=1"),
                List.of(HostPrerequisites.which("cat"), "/etc/shadow"),
                List.of("/usr/bin/tee", "/etc/modprobe.d/conntrack-agent.conf"),
                List.of(sysctl, "-w", "net.netfilter.nf_conntrack_max=1", "kernel.modprobe=/tmp/x"),
                List.of(sysctl, "-w", "net.netfilter.nf_conntrack_max=1 kernel.modprobe=/tmp/x"),
                List.of(sysctl, "-w", "kernel.core_pattern=|/tmp/x"),
                List.of(sysctl, "-p", "/tmp/evil.conf"),
                List.of(sysctl, "--system"),
                List.of(nsenter, "--net=/run/netns/../../proc/1/ns/net", "--", sysctl, "-w",
                        "net.netfilter.nf_conntrack_udp_timeout=1"),
                List.of(nsenter, "--net=/run/netns/x", "--mount=/proc/1/ns/mnt", "--", sysctl, "-w",
                        "net.netfilter.nf_conntrack_udp_timeout=1"),
                List.of(nsenter, "--net=/run/netns/x", "--", "/bin/sh"),
                List.of(nsenter, "--net=/run/netns/x", "--", sysctl, "-e", "net.ipv4.tcp_fastopen_key"),
                List.of(nsenter, "--net=/run/netns/x", "--", sysctl, "-e", "net.netfilter.nf_conntrack_max",
                        "net.ipv4.tcp_fastopen_key"),
                List.of(nsenter, "--net=/run/netns/x", "--", "/usr/bin/cat", "/etc/shadow"),
                List.of(dd, "of=/etc/shadow", "status=none"),
                List.of(dd, "of=/etc/sysctl.d/.90-conntrack-agent.conf.ctagent-tmp", "conv=fsync", "status=none"),
                List.of(dd, "of=/etc/modprobe.d/.conntrack-agent.conf.ctagent-tmp", "conv=fsync", "status=none"),
                List.of(dd, "of=/sys/module/nf_conntrack/parameters/hashsize", "status=none"),
                List.of(HostPrerequisites.which("mv"), "-f", "/tmp/x", "/etc/sysctl.d/90-conntrack-agent.conf"))) {
            assertThat(allowed(command)).as(String.join(" ", command)).isFalse();
        }
    }

    /** {@code sudo -l -U nobody cmd...} exits 0 when the policy allows exactly that command line. */
    private static boolean allowed(List<String> command) throws Exception {
        List<String> argv = new ArrayList<>(List.of(HostPrerequisites.which("unshare"), "--mount",
                "--propagation", "private", "--", "/bin/sh", "-c",
                "mount --bind \"$1\" /etc/sudoers.d && shift && exec sudo -l -U nobody \"$@\"", "sh", dir.toString()));
        argv.addAll(command);
        return run(argv).exit == 0;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> argv) throws Exception {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return new Result(process.exitValue(), output);
    }
}
