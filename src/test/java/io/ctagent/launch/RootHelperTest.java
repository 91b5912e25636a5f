package io.ctagent.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.hostagent.HostMode;
import io.ctagent.hostagent.HostProperties;
import io.ctagent.testsupport.FakeHost;

/**
 * The root helper in-process against a fake host tree: what it writes when the input is the agent's, and that
 * it refuses (exit 2, nothing written) everything else. SudoModeHostIT runs it for real through sudo.
 */
class RootHelperTest {

    private static final String DROP_IN = "etc/sysctl.d/90-conntrack-agent.conf";
    private static final String MODPROBE = "etc/modprobe.d/conntrack-agent.conf";
    private static final String HASHSIZE = "sys/module/nf_conntrack/parameters/hashsize";

    @TempDir
    Path temp;

    private FakeHost host;
    private HostProperties properties;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void fakeHost() {
        host = FakeHost.copyTo(temp);
        properties = new HostProperties(host.proc().toString(), host.sys().toString(), host.root().toString(),
                HostMode.DIRECT, Duration.ofSeconds(10), 1 << 20,
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    }

    private int run(String stdin, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = RootHelper.FLAG;
        System.arraycopy(args, 0, all, 1, args.length);
        return RootHelper.run(all, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                properties);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void persistsTheManagedFilesWithTheAgentsContent() {
        String dropIn = "# Managed by conntrack-agent\nnet.netfilter.nf_conntrack_max = 524288\n";
        String modprobe = "# Managed by conntrack-agent\noptions nf_conntrack hashsize=131072\n";

        assertThat(run(dropIn, "persist", "/" + DROP_IN)).as(err()).isZero();
        assertThat(run(modprobe, "persist", "/" + MODPROBE)).as(err()).isZero();

        assertThat(host.read(DROP_IN)).isEqualTo(dropIn);
        assertThat(host.read(MODPROBE)).isEqualTo(modprobe);
        assertThat(err()).isEmpty();
    }

    @Test
    void aSecondHelperWritingTheSameTempFileCannotMixItsBytesIntoTheFile() throws Exception {
        // Two helpers at once, each with a valid comment: if both wrote into one temp file, the shorter one's
        // bytes followed by the rest of the longer one's would install "net.ipv4..." (any key) as a line.
        String padding = "a".repeat(60);
        String longer = "# " + padding + "net.ipv4.tcp_keepalive_time = 7201\n";
        String shorter = "# " + "b".repeat(padding.length() - 1) + "\n";
        Path tempFile = host.root().resolve("etc/sysctl.d/.90-conntrack-agent.conf.ctagent-tmp");
        Files.createDirectories(tempFile.getParent());
        try (var other = FileChannel.open(tempFile, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            assertThat(run(longer, "persist", "/" + DROP_IN)).as(err()).isZero();
            // The other helper, which opened the temp file first, writes now.
            other.write(ByteBuffer.wrap(shorter.getBytes(StandardCharsets.US_ASCII)), 0);
        }

        assertThat(host.read(DROP_IN)).isEqualTo(longer);
    }

    @Test
    void refusesForeignLinesInEitherFileAndWritesNothing() {
        assertThat(run("install nft_osf /bin/sh -c id\n", "persist", "/" + MODPROBE)).isEqualTo(2);
        assertThat(run("kernel.core_pattern = |/tmp/x\n", "persist", "/" + DROP_IN)).isEqualTo(2);
        assertThat(run("kernel.modprobe = /tmp/x\n", "persist", "/" + DROP_IN)).isEqualTo(2);
        // Each file is checked by its own rules: a sysctl line is not a modprobe line.
        assertThat(run("net.netfilter.nf_conntrack_max = 1\n", "persist", "/" + MODPROBE)).isEqualTo(2);

        assertThat(host.root().resolve(DROP_IN)).doesNotExist();
        assertThat(host.root().resolve(MODPROBE)).doesNotExist();
        assertThat(err()).contains("refused", "install nft_osf", "kernel.core_pattern", "kernel.modprobe");
    }

    @Test
    void refusesEveryOtherPath() {
        for (String path : new String[] {"/etc/shadow", "/etc/sysctl.d/91-other.conf", "etc/sysctl.d/90-conntrack-agent.conf",
                "/etc/sysctl.d/../modprobe.d/evil.conf", "/etc/modprobe.d/conntrack-agent.conf/"}) {
            assertThat(run("net.netfilter.nf_conntrack_max = 1\n", "persist", path)).as(path).isEqualTo(2);
        }
        assertThat(run("", "persist")).isEqualTo(2);
        assertThat(run("", "persist", "/" + DROP_IN, "extra")).isEqualTo(2);
        assertThat(host.root().resolve("etc/sysctl.d/91-other.conf")).doesNotExist();
    }

    @Test
    void setsTheHashsizeOnlyToANumberInRange() {
        String before = host.read(HASHSIZE);

        for (String value : new String[] {"0", "-1", "65536 ", "1e6", "536870912", "65536\n1", ""}) {
            assertThat(run("", "set-hashsize", value)).as(value).isEqualTo(2);
        }
        assertThat(host.read(HASHSIZE)).isEqualTo(before);

        assertThat(run("", "set-hashsize", "65536")).as(err()).isZero();
        assertThat(host.read(HASHSIZE)).isEqualTo("65536\n");
    }

    @Test
    void refusesAForeignNftScriptOrANamespaceOutsideRunNetnsBeforeRunningAnything() {
        String ours = "add table inet conntrack_agent\n";

        assertThat(run("include \"/etc/shadow\"\n", "nft-apply")).isEqualTo(2);
        assertThat(run("add table inet filter\nflush ruleset\n", "nft-apply")).isEqualTo(2);
        assertThat(run(ours, "nft-apply", "--netns", "../../proc/1/ns/net")).isEqualTo(2);
        assertThat(run(ours, "nft-apply", "--netns", "/proc/1/ns/net")).isEqualTo(2);
        assertThat(run(ours, "nft-apply", "--netns", "")).isEqualTo(2);
        // A well-formed name that is not under <rootfs>/run/netns: refused before nft runs.
        assertThat(run(ours, "nft-apply", "--netns", "no-such-lab")).isEqualTo(2);
        assertThat(run(ours, "nft-apply", "--net=/proc/1/ns/net")).isEqualTo(2);
        // The local-destination match is the lifeline's alone: on anyone else's rule it is refused.
        assertThat(run("add rule inet conntrack_agent prerouting udp dport 53 fib daddr type local counter notrack "
                + "comment \"ctagent:0a1b2c3d\"\n", "nft-apply")).isEqualTo(2);
        assertThat(err()).contains("/etc/shadow").contains("no-such-lab").contains("fib daddr type local")
                .doesNotContain("Exception");
    }

    @Test
    void refusesUnknownSubcommandsAndTheAgentsOtherFlags() {
        assertThat(run("", "--cds-training")).isEqualTo(2);
        assertThat(run("", "--hash-key")).isEqualTo(2);
        assertThat(run("")).isEqualTo(2);
        assertThat(RootHelper.requested(new String[] {"--server.port=1", RootHelper.FLAG})).isFalse();
    }
}
