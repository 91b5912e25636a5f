package io.ctagent.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shipped packaging/sudoers.d/conntrack-agent, asked whether it allows a command line: the file is
 * rewritten for user nobody (the root helper at a stand-in path of the test's own) and bind-mounted over
 * /etc/sudoers.d in a private mount namespace for each {@code sudo -l -U nobody <command>}, so the host's
 * sudo configuration is untouched.
 */
public final class SudoersPolicy {

    private static final Path SUDOERS = Path.of("packaging/sudoers.d/conntrack-agent");

    private final Path dir;
    private final Path helper;

    private SudoersPolicy(Path dir, Path helper) {
        this.dir = dir;
        this.helper = helper;
    }

    /** The policy in {@code temp}, which the caller deletes. */
    public static SudoersPolicy in(Path temp) throws IOException {
        HostPrerequisites.require("sudo", "unshare", "mount");
        Path dir = Files.createDirectories(temp.resolve("sudoers.d"));
        Path bin = Files.createDirectories(temp.resolve("bin"));
        Path helper = bin.resolve("conntrack-agent-root");
        Files.writeString(helper, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = dir.resolve("conntrack-agent");
        Files.writeString(file, Files.readString(SUDOERS)
                .replace("Defaults:conntrack-agent", "Defaults:nobody")
                .replace("\nconntrack-agent ALL", "\nnobody ALL")
                .replace("/usr/local/sbin/conntrack-agent-root", helper.toString()));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r-----"));
        return new SudoersPolicy(dir, helper);
    }

    /** The stand-in for /usr/local/sbin/conntrack-agent-root that the rewritten file names. */
    public Path helper() {
        return helper;
    }

    /** Whether the policy lets the agent's user run exactly this command line (absolute binary first). */
    public boolean allows(List<String> command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(HostPrerequisites.which("unshare"), "--mount",
                "--propagation", "private", "--", "/bin/sh", "-c",
                "mount --bind \"$1\" /etc/sudoers.d && shift && exec sudo -l -U nobody \"$@\"", "sh", dir.toString()));
        argv.addAll(command);
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        process.getOutputStream().close();
        process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("sudo -l did not answer within 30 s: " + command);
        }
        return process.exitValue() == 0;
    }
}
