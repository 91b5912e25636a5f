package io.ctagent.hostagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exact argument lists per mode: packaging/sudoers.d/conntrack-agent allows these and nothing else
 * (SudoersHostIT checks them against sudo itself), so their shape must not drift.
 */
class CommandLinesTest {

    @TempDir
    Path temp;
    private Path bin;
    private HostPaths paths;
    private Tools tools;

    @BeforeEach
    void fakeTools() throws IOException {
        bin = Files.createDirectory(temp.resolve("bin"));
        for (Tool tool : Tool.values()) {
            Path file = Files.createFile(bin.resolve(tool.binary()));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        HostProperties properties = new HostProperties("/proc", "/sys", temp.toString(), HostMode.SUDO,
                Duration.ofSeconds(10), 1 << 20, bin.toString());
        paths = new HostPaths(properties);
        tools = new Tools(properties);
    }

    private CommandLines lines(EffectiveMode mode) {
        return new CommandLines(paths, tools, new HostPrivilege(HostMode.AUTO, mode, false));
    }

    private String tool(String name) {
        return bin.resolve(name).toString();
    }

    @Test
    void directModeRunsTheToolItselfAndEntersANamedNamespaceWithNsenter() {
        CommandLines direct = lines(EffectiveMode.DIRECT);

        assertThat(direct.privileged(NetnsTarget.OWN, Tool.CONNTRACK, List.of("-C")))
                .containsExactly(tool("conntrack"), "-C");
        assertThat(direct.privileged(NetnsTarget.parse("lab"), Tool.CONNTRACK, List.of("-C")))
                .containsExactly(tool("nsenter"), "--net=" + temp.resolve("run/netns/lab"), "--", tool("conntrack"),
                        "-C");
        assertThat(direct.privileged(NetnsTarget.OWN, Tool.NFT, List.of("-f", "-")))
                .as("only sudo mode hands nft scripts to the root helper")
                .containsExactly(tool("nft"), "-f", "-");
    }

    @Test
    void sudoModePutsSudoMinusNInFrontOfNsenterAndTheTool() {
        CommandLines sudo = lines(EffectiveMode.SUDO);

        assertThat(sudo.privileged(NetnsTarget.OWN, Tool.SYSCTL, List.of("-e", "net.netfilter.nf_conntrack_max")))
                .containsExactly(tool("sudo"), "-n", tool("sysctl"), "-e", "net.netfilter.nf_conntrack_max");
        assertThat(sudo.privileged(NetnsTarget.parse("lab"), Tool.CAT, List.of("/proc/net/nf_conntrack")))
                .containsExactly(tool("sudo"), "-n", tool("nsenter"), "--net=" + temp.resolve("run/netns/lab"),
                        "--", tool("cat"), "/proc/net/nf_conntrack");
    }

    @Test
    void sudoModeSendsAnNftScriptToTheRootHelperWithItsNamespace() {
        CommandLines sudo = lines(EffectiveMode.SUDO);

        assertThat(sudo.privileged(NetnsTarget.OWN, Tool.NFT, List.of("-f", "-")))
                .containsExactly(tool("sudo"), "-n", tool("conntrack-agent-root"), "nft-apply");
        assertThat(sudo.privileged(NetnsTarget.parse("lab"), Tool.NFT, List.of("-f", "-")))
                .containsExactly(tool("sudo"), "-n", tool("conntrack-agent-root"), "nft-apply", "--netns", "lab");
        assertThat(sudo.privileged(NetnsTarget.OWN, Tool.NFT, List.of("list", "ruleset")))
                .as("other nft commands stay plain sudo")
                .containsExactly(tool("sudo"), "-n", tool("nft"), "list", "ruleset");
    }

    @Test
    void unprivilegedCommandsNeverGetSudoOrNsenter() {
        assertThat(lines(EffectiveMode.SUDO).unprivileged(Tool.CONNTRACK, List.of("--version")))
                .containsExactly(tool("conntrack"), "--version");
    }
}
