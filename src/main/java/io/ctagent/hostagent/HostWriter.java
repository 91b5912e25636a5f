package io.ctagent.hostagent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.problem.OperatorProblem;

/**
 * The write half of the host agent: sysctls, module parameters and whole configuration files,
 * in the effective mode.
 * <ul>
 * <li>DIRECT: the agent writes /proc/sys and /sys itself (one write(2) at offset 0) and replaces
 * files atomically (temp file, fsync, rename); a named namespace's sysctl goes through
 * {@code nsenter --net=... -- sysctl -w}.</li>
 * <li>SUDO: {@code sudo -n /usr/sbin/sysctl -w key=value}, an argument list the sudoers file allows
 * exactly; the hashsize parameter and the managed files go through the root helper
 * ({@code sudo -n conntrack-agent-root set-hashsize N}, {@code ... persist PATH} with the content on stdin),
 * which checks them as root and then writes them as DIRECT mode does.</li>
 * <li>DRY_RUN and READ_ONLY write nothing: callers ask for the plan ({@code *Commands}) instead.</li>
 * </ul>
 */
@Component
public class HostWriter {

    /** Suffix of the temp file next to a replaced file; no *.conf reader ever picks it up. */
    public static final String TEMP_SUFFIX = ".ctagent-tmp";

    private static final String DIRECT_WRITE = "write";
    private static final String DIRECT_RENAME = "rename";

    private final HostAgent host;
    private final HostPaths paths;
    private final CommandRunner runner;

    public HostWriter(HostAgent host, CommandRunner runner) {
        this.host = host;
        this.paths = host.paths();
        this.runner = runner;
    }

    public EffectiveMode mode() {
        return host.mode();
    }

    /** In dry-run mode every change is only planned. */
    public boolean planOnly() {
        return host.mode() == EffectiveMode.DRY_RUN;
    }

    /** A 503 problem in read-only mode, saying which privilege is missing. */
    public void requirePrivilege() {
        if (host.mode() == EffectiveMode.READ_ONLY) {
            throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "read-only-mode", "Agent is read-only",
                    privilegeMissing()).with("mode", EffectiveMode.READ_ONLY);
        }
    }

    /** Whether a sysctl can be written in this mode; a named namespace's own rules are the caller's. */
    public Writability sysctlWritability(NetnsTarget netns, String name) {
        if (host.mode() == EffectiveMode.READ_ONLY) {
            return Writability.no(privilegeMissing());
        }
        if (!netns.isOwn()) {
            return Writability.YES;
        }
        return fileWritability(paths.proc(SysctlNames.procPath(name)));
    }

    /** Whether a module parameter under the sys root (e.g. module/nf_conntrack/parameters/hashsize) can be written. */
    public Writability sysParameterWritability(String relativeSys) {
        if (host.mode() == EffectiveMode.READ_ONLY) {
            return Writability.no(privilegeMissing());
        }
        return fileWritability(paths.sys(relativeSys));
    }

    /** The argument list that sets a sysctl in this mode. */
    public List<String> sysctlCommand(NetnsTarget netns, String name, long value) {
        String procPath = SysctlNames.procPath(name);
        if (netns.isOwn() && host.mode() != EffectiveMode.SUDO) {
            return List.of(DIRECT_WRITE, paths.proc(procPath).toString(), Long.toString(value));
        }
        return host.argv(netns, Tool.SYSCTL, List.of("-w", name + "=" + value));
    }

    /** Sets a sysctl; the caller reads it back, since sysctl(8) can exit 0 on a refused write. */
    public HostWrite writeSysctl(NetnsTarget netns, String name, long value) {
        requireWriteMode();
        List<String> argv = sysctlCommand(netns, name, value);
        if (argv.get(0).equals(DIRECT_WRITE)) {
            return writeInPlace(paths.proc(SysctlNames.procPath(name)), value, argv);
        }
        host.requireNetns(netns);
        return fromCommand(runner.run(argv));
    }

    /** The argument list that sets a module parameter under the sys root in this mode. */
    public List<String> sysParameterCommand(String relativeSys, long value) {
        Path file = paths.sys(relativeSys);
        if (host.mode() != EffectiveMode.SUDO) {
            return List.of(DIRECT_WRITE, file.toString(), Long.toString(value));
        }
        return host.rootHelperArgv(List.of("set-hashsize", Long.toString(value)));
    }

    /** Sets a module parameter such as hashsize (global: always from the agent's own namespace). */
    public HostWrite writeSysParameter(String relativeSys, long value) {
        requireWriteMode();
        List<String> argv = sysParameterCommand(relativeSys, value);
        if (argv.get(0).equals(DIRECT_WRITE)) {
            return writeInPlace(paths.sys(relativeSys), value, argv);
        }
        return fromCommand(runner.run(argv));
    }

    /** The steps that replace a file under the rootfs in this mode. */
    public List<List<String>> replaceFileCommands(String relativeRootfs) {
        Path target = paths.rootfs(relativeRootfs);
        Path temp = temp(target);
        if (host.mode() != EffectiveMode.SUDO) {
            return List.of(List.of(DIRECT_WRITE, temp.toString()),
                    List.of(DIRECT_RENAME, temp.toString(), target.toString()));
        }
        // One step: the helper writes the temp file, syncs and renames it as root.
        return List.of(host.rootHelperArgv(List.of("persist", target.toString())));
    }

    /** Replaces a whole file atomically: a reader sees the old or the new content, never a mix. */
    public HostWrite replaceFile(String relativeRootfs, String content) {
        requireWriteMode();
        List<List<String>> commands = replaceFileCommands(relativeRootfs);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (host.mode() != EffectiveMode.SUDO) {
            return replaceInProcess(paths.rootfs(relativeRootfs), bytes, commands);
        }
        return fromCommand(runner.run(commands.get(0), bytes));
    }

    private HostWrite writeInPlace(Path file, long value, List<String> argv) {
        long started = System.nanoTime();
        // O_TRUNC and one write(2) at offset 0: the kernel parses a sysctl from a single write.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.US_ASCII)));
            long took = millisSince(started);
            return HostWrite.ok(List.of(argv), List.of(ownStep(argv, null, took)), took);
        } catch (IOException e) {
            long took = millisSince(started);
            String message = describe(e, file);
            return HostWrite.failed(List.of(argv), WriteError.of(e), message, List.of(ownStep(argv, message, took)),
                    took);
        }
    }

    private HostWrite replaceInProcess(Path target, byte[] bytes, List<List<String>> commands) {
        long started = System.nanoTime();
        Path temp = temp(target);
        List<CommandResult> steps = new ArrayList<>();
        long stepStarted = started;
        try {
            Files.createDirectories(target.getParent());
            // A new inode of our own, never an existing temp (O_EXCL, no symlink followed): two root helpers run
            // at once must not both write into one file, or the rename installs one's lines mixed with the other's.
            Files.deleteIfExists(temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            steps.add(ownStep(commands.get(0), null, millisSince(stepStarted)));
            stepStarted = System.nanoTime();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(target.getParent());
            steps.add(ownStep(commands.get(1), null, millisSince(stepStarted)));
            return HostWrite.ok(commands, steps, millisSince(started));
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // The temp name is fixed; the next write truncates it anyway.
            }
            String message = describe(e, target);
            steps.add(ownStep(commands.get(steps.size()), message, millisSince(stepStarted)));
            return HostWrite.failed(commands, WriteError.of(e), message, steps, millisSince(started));
        }
    }

    /**
     * A write the agent did itself, recorded like a command so the audit shows every step: exit
     * code 0, or 1 with the error as stderr when it failed.
     */
    private static CommandResult ownStep(List<String> argv, String error, long durationMillis) {
        return new CommandResult(argv, error == null ? 0 : 1, "", error == null ? "" : error, durationMillis, false,
                false);
    }

    /** Makes the rename itself durable; best effort, since not every file system allows it. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // The data is already synced; only the directory entry might be lost on a crash.
        }
    }

    private Writability fileWritability(Path file) {
        if (!Files.exists(file)) {
            return Writability.no(file + " does not exist (is nf_conntrack loaded?)");
        }
        try {
            if (!Files.getPosixFilePermissions(file).contains(PosixFilePermission.OWNER_WRITE)) {
                return Writability.no("the kernel marks " + file + " read-only");
            }
        } catch (IOException | UnsupportedOperationException e) {
            return Writability.no("cannot read the mode of " + file + ": " + e.getMessage());
        }
        if (onReadOnlyMount(file)) {
            return Writability.no(file + " is on a read-only mount (EROFS): a container sees /proc/sys and /sys "
                    + "read-only unless it runs privileged or mounts the host's at a writable path");
        }
        if (host.mode() == EffectiveMode.DIRECT && !Files.isWritable(file)) {
            return Writability.no("the agent's user may not write " + file + " (EACCES); run it as root");
        }
        return Writability.YES;
    }

    private static boolean onReadOnlyMount(Path file) {
        try {
            return Files.getFileStore(file).isReadOnly();
        } catch (IOException e) {
            // No mount entry visible (some containers): the write itself will tell.
            return false;
        }
    }

    private void requireWriteMode() {
        requirePrivilege();
        if (planOnly()) {
            throw new IllegalStateException("dry-run mode writes nothing; plan with the *Commands methods");
        }
    }

    private String privilegeMissing() {
        return "The agent runs without root and 'sudo -n' is not allowed for its user, so it cannot write "
                + "/proc/sys, /sys or /etc. Run it as root (systemd unit or a privileged pod), or install "
                + "packaging/sudoers.d/conntrack-agent and set ctagent.host.mode=sudo.";
    }

    private static Path temp(Path target) {
        return target.resolveSibling("." + target.getFileName() + TEMP_SUFFIX);
    }

    private static boolean succeeded(CommandResult result) {
        // sysctl(8) can print "setting key ...: Invalid argument" and still exit 0.
        return result.succeeded() && result.stderr().isBlank();
    }

    private static HostWrite fromCommand(CommandResult result) {
        if (succeeded(result)) {
            return HostWrite.ok(List.of(result.argv()), List.of(result), result.durationMillis());
        }
        return HostWrite.failed(List.of(result.argv()), errorOf(result), said(result), List.of(result),
                result.durationMillis());
    }

    private static WriteError errorOf(CommandResult result) {
        return result.timedOut() ? WriteError.TIMED_OUT : WriteError.fromMessage(said(result));
    }

    private static String said(CommandResult result) {
        if (result.timedOut()) {
            return "timed out after " + result.durationMillis() + " ms and was killed";
        }
        String text = (result.stderr().isBlank() ? result.stdout() : result.stderr()).strip();
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }

    private static String describe(IOException e, Path file) {
        if (e instanceof java.nio.file.AccessDeniedException && e.getMessage() != null
                && e.getMessage().equals(file.toString())) {
            return file + ": Permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            return file + ": " + fs.getReason();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.contains(file.toString()) ? message : file + ": " + message;
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
