package io.ctagent.hostagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.HttpStatus;

import io.ctagent.testsupport.FakeHost;
import io.ctagent.problem.OperatorProblem;

class HostWriterTest {

    private static final String MAX = "net.netfilter.nf_conntrack_max";
    private static final String PERSIST = "etc/sysctl.d/90-conntrack-agent.conf";

    @TempDir
    Path temp;

    private FakeHost host;
    private HostAgent agent;

    private HostAgent agent(HostMode mode) {
        host = FakeHost.copyTo(temp);
        HostProperties properties = TestHostProperties.withMode(host.proc().toString(), host.sys().toString(),
                host.root().toString(), mode);
        return new HostAgent(properties, new HostPaths(properties), new Tools(properties), new CommandRunner(properties));
    }

    private HostWriter writer(HostMode mode) {
        agent = agent(mode);
        return new HostWriter(agent, new CommandRunner(TestHostProperties.withMode("/proc", "/sys", "/", mode)));
    }

    /** READ_ONLY is detected, never configured: an agent that reports it. */
    private HostWriter readOnlyWriter() {
        HostAgent real = agent(HostMode.DIRECT);
        HostProperties properties = TestHostProperties.withMode(host.proc().toString(), host.sys().toString(),
                host.root().toString(), HostMode.DIRECT);
        HostAgent readOnly = new HostAgent(properties, real.paths(), real.tools(), new CommandRunner(properties)) {
            @Override
            public EffectiveMode mode() {
                return EffectiveMode.READ_ONLY;
            }
        };
        return new HostWriter(readOnly, new CommandRunner(properties));
    }

    @Test
    void directModeWritesTheSysctlFileUnderTheProcRootReplacingItsContent() {
        HostWriter writer = writer(HostMode.DIRECT);

        HostWrite write = writer.writeSysctl(NetnsTarget.OWN, MAX, 1000);

        assertThat(write.succeeded()).isTrue();
        assertThat(host.read("proc/sys/net/netfilter/nf_conntrack_max")).isEqualTo("1000\n");
        assertThat(write.commands()).containsExactly(
                List.of("write", host.proc().resolve("sys/net/netfilter/nf_conntrack_max").toString(), "1000"));
        // The agent's own write is a step with an exit code, for the audit.
        assertThat(write.results()).singleElement().satisfies(step -> {
            assertThat(step.argv()).isEqualTo(write.commands().get(0));
            assertThat(step.exitCode()).isZero();
        });
    }

    @Test
    void aFailedDirectWriteIsClassifiedNotThrown() {
        HostWriter writer = writer(HostMode.DIRECT);

        HostWrite write = writer.writeSysctl(NetnsTarget.OWN, "net.netfilter.nf_conntrack_gone", 5);

        assertThat(write.succeeded()).isFalse();
        assertThat(write.error()).isEqualTo(WriteError.NOT_FOUND);
        assertThat(write.message()).contains("nf_conntrack_gone");
        assertThat(write.results()).singleElement().satisfies(step -> {
            assertThat(step.exitCode()).isEqualTo(1);
            assertThat(step.stderr()).contains("nf_conntrack_gone");
        });
    }

    @Test
    void aNameThatIsNotASysctlNeverBecomesAPath() {
        HostWriter writer = writer(HostMode.DIRECT);

        for (String bad : List.of("../../etc/passwd", "net/netfilter/x", "net.netfilter.x;reboot", "net..x", "NET.x")) {
            assertThatThrownBy(() -> writer.writeSysctl(NetnsTarget.OWN, bad, 1))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void directModeReplacesAFileAtomicallyWithMode0644AndNoTempLeft() throws Exception {
        HostWriter writer = writer(HostMode.DIRECT);
        host.write(PERSIST, "old\n");

        HostWrite write = writer.replaceFile(PERSIST, "net.netfilter.nf_conntrack_max = 1000\n");

        assertThat(write.succeeded()).isTrue();
        Path file = host.root().resolve(PERSIST);
        assertThat(Files.readString(file)).isEqualTo("net.netfilter.nf_conntrack_max = 1000\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
        assertThat(file.resolveSibling(".90-conntrack-agent.conf" + HostWriter.TEMP_SUFFIX)).doesNotExist();
        assertThat(write.commands()).containsExactly(
                List.of("write", file.resolveSibling(".90-conntrack-agent.conf.ctagent-tmp").toString()),
                List.of("rename", file.resolveSibling(".90-conntrack-agent.conf.ctagent-tmp").toString(),
                        file.toString()));
        assertThat(write.results()).extracting(CommandResult::argv).isEqualTo(write.commands());
        assertThat(write.results()).allSatisfy(step -> assertThat(step.exitCode()).isZero());
    }

    @Test
    void aFailedRenameIsTheStepThatFailedAfterTheWrittenTemp() throws Exception {
        HostWriter writer = writer(HostMode.DIRECT);
        // A directory where the file should be: the temp is written, the rename over it fails.
        host.write(PERSIST + "/in-the-way", "x");

        HostWrite write = writer.replaceFile(PERSIST, "net.netfilter.nf_conntrack_max = 1000\n");

        assertThat(write.succeeded()).isFalse();
        assertThat(write.results()).extracting(CommandResult::exitCode).containsExactly(0, 1);
        assertThat(write.results().get(1).argv().get(0)).isEqualTo("rename");
    }

    @Test
    void directModeCreatesTheDirectoryOfANewFile() throws Exception {
        HostWriter writer = writer(HostMode.DIRECT);

        assertThat(writer.replaceFile("etc/modprobe.d/conntrack-agent.conf", "options nf_conntrack hashsize=1024\n")
                .succeeded()).isTrue();
        assertThat(host.read("etc/modprobe.d/conntrack-agent.conf")).isEqualTo("options nf_conntrack hashsize=1024\n");
    }

    @Test
    void sudoModeRunsSysctlWithSudoNAndAbsolutePaths() {
        HostWriter writer = writer(HostMode.SUDO);
        assumeThat(agent.tools().find(Tool.SUDO)).isPresent();
        assumeThat(agent.tools().find(Tool.SYSCTL)).isPresent();
        assumeThat(agent.tools().find(Tool.NSENTER)).isPresent();

        assertThat(writer.sysctlCommand(NetnsTarget.OWN, MAX, 524288)).containsExactly(
                path(agent, Tool.SUDO), "-n", path(agent, Tool.SYSCTL), "-w", MAX + "=524288");
        assertThat(writer.sysctlCommand(NetnsTarget.parse("lab1"), "net.netfilter.nf_conntrack_udp_timeout", 10))
                .containsExactly(path(agent, Tool.SUDO), "-n", path(agent, Tool.NSENTER),
                        "--net=" + host.root().resolve("run/netns/lab1"), "--", path(agent, Tool.SYSCTL), "-w",
                        "net.netfilter.nf_conntrack_udp_timeout=10");
    }

    /**
     * Sudo mode with a stand-in sudo (drops -n, runs the rest) and a stand-in root helper that records its
     * arguments and stdin: what the agent hands the helper, not what the helper does (RootHelperTest).
     */
    private HostWriter sudoWriterWithRecordingHelper(Path bin) throws Exception {
        host = FakeHost.copyTo(temp.resolve("host"));
        Files.createDirectories(bin);
        script(bin.resolve("sudo"), "#!/bin/sh\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n");
        script(bin.resolve("conntrack-agent-root"), "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + bin.resolve("args")
                + "\ncat > " + bin.resolve("stdin") + "\n");
        HostProperties properties = new HostProperties(host.proc().toString(), host.sys().toString(),
                host.root().toString(), HostMode.SUDO, java.time.Duration.ofSeconds(10), 1 << 20,
                bin + ":" + TestHostProperties.TOOL_PATH);
        CommandRunner runner = new CommandRunner(properties);
        agent = new HostAgent(properties, new HostPaths(properties), new Tools(properties), runner);
        return new HostWriter(agent, runner);
    }

    private static void script(Path file, String text) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void sudoModeWritesFilesAndTheHashsizeThroughTheRootHelperNeverAFileWriter() throws Exception {
        Path bin = temp.resolve("bin");
        HostWriter writer = sudoWriterWithRecordingHelper(bin);
        String helper = bin.resolve("conntrack-agent-root").toString();
        String sudo = bin.resolve("sudo").toString();
        String target = host.root().resolve(PERSIST).toString();

        assertThat(writer.replaceFileCommands(PERSIST)).containsExactly(List.of(sudo, "-n", helper, "persist", target));
        assertThat(writer.sysParameterCommand("module/nf_conntrack/parameters/hashsize", 65536))
                .containsExactly(sudo, "-n", helper, "set-hashsize", "65536");
        assertThat(agent.argv(NetnsTarget.parse("lab1"), Tool.NFT, List.of("-f", "-")))
                .containsExactly(sudo, "-n", helper, "nft-apply", "--netns", "lab1");
        assertThat(agent.argv(NetnsTarget.OWN, Tool.NFT, List.of("-f", "-"))).containsExactly(sudo, "-n", helper,
                "nft-apply");
        // Reads of nft stay exact commands.
        assertThat(agent.argv(NetnsTarget.OWN, Tool.NFT, List.of("-a", "list", "ruleset")))
                .containsExactly(sudo, "-n", path(agent, Tool.NFT), "-a", "list", "ruleset");
    }

    @Test
    void withoutTheRootHelperASudoWriteIsA503SayingHowToInstallIt() throws Exception {
        Path bin = Files.createDirectories(temp.resolve("only-sudo"));
        script(bin.resolve("sudo"), "#!/bin/sh\nexit 1\n");
        host = FakeHost.copyTo(temp.resolve("host"));
        HostProperties properties = new HostProperties(host.proc().toString(), host.sys().toString(),
                host.root().toString(), HostMode.SUDO, java.time.Duration.ofSeconds(10), 1 << 20, bin.toString());
        CommandRunner runner = new CommandRunner(properties);
        HostWriter writer = new HostWriter(new HostAgent(properties, new HostPaths(properties), new Tools(properties),
                runner), runner);

        assertThatThrownBy(() -> writer.replaceFile(PERSIST, "net.netfilter.nf_conntrack_max = 7\n"))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(problem.getBody().getDetail()).contains("/usr/local/sbin/conntrack-agent-root",
                            "packaging/sudoers.d/conntrack-agent");
                });
        assertThat(host.root().resolve(PERSIST)).doesNotExist();
    }

    @Test
    void sudoModeFeedsTheFileContentToTheHelperOnStdin() throws Exception {
        Path bin = temp.resolve("bin");
        HostWriter writer = sudoWriterWithRecordingHelper(bin);

        HostWrite write = writer.replaceFile(PERSIST, "# kept\nnet.netfilter.nf_conntrack_max = 7\n");

        assertThat(write.succeeded()).as(write.message()).isTrue();
        assertThat(write.results()).singleElement().satisfies(result -> assertThat(result.exitCode()).isZero());
        assertThat(Files.readString(bin.resolve("stdin"))).isEqualTo("# kept\nnet.netfilter.nf_conntrack_max = 7\n");
        assertThat(Files.readString(bin.resolve("args"))).isEqualTo("persist\n" + host.root().resolve(PERSIST) + "\n");
        // The agent wrote nothing itself: the helper (here a recorder) is the only writer.
        assertThat(host.root().resolve(PERSIST)).doesNotExist();
    }

    @Test
    void dryRunModePlansInTheDirectFormAndRefusesToWrite() {
        HostWriter writer = writer(HostMode.DRY_RUN);

        assertThat(writer.planOnly()).isTrue();
        assertThat(writer.sysctlCommand(NetnsTarget.OWN, MAX, 9)).first().isEqualTo("write");
        assertThatThrownBy(() -> writer.writeSysctl(NetnsTarget.OWN, MAX, 9)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> writer.replaceFile(PERSIST, "x")).isInstanceOf(IllegalStateException.class);
        assertThat(host.read("proc/sys/net/netfilter/nf_conntrack_max")).isEqualTo("262144\n");
        assertThat(host.root().resolve(PERSIST)).doesNotExist();
    }

    @Test
    void readOnlyModeIsA503SayingWhichPrivilegeIsMissing() {
        HostWriter writer = readOnlyWriter();

        assertThatThrownBy(() -> writer.writeSysctl(NetnsTarget.OWN, MAX, 9))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(problem.getBody().getDetail()).contains("without root").contains("sudoers");
                });
        assertThat(writer.sysctlWritability(NetnsTarget.OWN, MAX).writable()).isFalse();
        assertThat(host.read("proc/sys/net/netfilter/nf_conntrack_max")).isEqualTo("262144\n");
    }

    @Test
    void aFileWithoutTheOwnerWriteBitIsNotWritableWhateverTheUid() throws Exception {
        HostWriter writer = writer(HostMode.DIRECT);
        Path count = host.proc().resolve("sys/net/netfilter/nf_conntrack_count");
        Files.setPosixFilePermissions(count, PosixFilePermissions.fromString("r--r--r--"));

        Writability writability = writer.sysctlWritability(NetnsTarget.OWN, "net.netfilter.nf_conntrack_count");

        assertThat(writability.writable()).isFalse();
        assertThat(writability.reason()).contains("read-only");
        assertThat(writer.sysctlWritability(NetnsTarget.OWN, MAX)).isEqualTo(Writability.YES);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "sysctl: setting key \"net.netfilter.nf_conntrack_max\": Read-only file system | READ_ONLY_FILE_SYSTEM",
            "sysctl: permission denied on key \"net.netfilter.nf_conntrack_max\" | PERMISSION_DENIED",
            "/usr/bin/dd: error writing '/sys/module/nf_conntrack/parameters/hashsize': Operation not supported | NOT_SUPPORTED",
            "sysctl: setting key \"net.netfilter.nf_conntrack_udp_timeout\": Invalid argument | INVALID_ARGUMENT",
            "sysctl: cannot stat /proc/sys/net/netfilter/nf_conntrack_x: No such file or directory | NOT_FOUND",
            "sudo: a password is required | SUDO_REFUSED",
            "something else | FAILED"})
    void classifiesWhatTheToolsSay(String message, WriteError expected) {
        assertThat(WriteError.fromMessage(message)).isEqualTo(expected);
    }

    private static String path(HostAgent agent, Tool tool) {
        return agent.tools().require(tool).toString();
    }
}
