package io.ctagent.hostagent;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.CommandRunner.StdoutConsumer;
import io.ctagent.problem.OperatorProblem;

/**
 * The only way into the host: file reads under the configured roots and host commands, in the
 * agent's own network namespace or a named one, directly or through sudo.
 */
@Component
public class HostAgent {

    private static final Logger log = LoggerFactory.getLogger(HostAgent.class);
    /** A page: what the kernel hands a sysctl read at most, and small enough to allocate per read. */
    private static final int READ_CHUNK = 4096;
    private static final List<String> NFT_SCRIPT_ON_STDIN = List.of("-f", "-");

    private final HostPaths paths;
    private final Tools tools;
    private final CommandRunner runner;
    private final HostMode configuredMode;
    private final EffectiveMode mode;
    private final boolean root;

    public HostAgent(HostProperties properties, HostPaths paths, Tools tools, CommandRunner runner) {
        this.paths = paths;
        this.tools = tools;
        this.runner = runner;
        this.configuredMode = properties.mode();
        this.root = runningAsRoot();
        this.mode = switch (configuredMode) {
            case DIRECT -> EffectiveMode.DIRECT;
            case SUDO -> EffectiveMode.SUDO;
            case DRY_RUN -> EffectiveMode.DRY_RUN;
            case AUTO -> root ? EffectiveMode.DIRECT : sudoWorks() ? EffectiveMode.SUDO : EffectiveMode.READ_ONLY;
        };
        log.info("host agent mode {} (configured {}, root {})", mode, configuredMode, root);
    }

    public EffectiveMode mode() {
        return mode;
    }

    public HostMode configuredMode() {
        return configuredMode;
    }

    public boolean root() {
        return root;
    }

    public HostPaths paths() {
        return paths;
    }

    public Tools tools() {
        return tools;
    }

    /** Reads a file under the proc root as seen from the target namespace; empty when it does not exist. */
    public Optional<String> readProc(NetnsTarget netns, String relative) {
        Path file = paths.proc(relative);
        if (netns.isOwn()) {
            return readFile(file);
        }
        CommandResult result = run(netns, Tool.CAT, List.of(file.toString()));
        if (result.succeeded()) {
            return Optional.of(result.stdout());
        }
        if (result.stderr().contains("No such file or directory")) {
            return Optional.empty();
        }
        throw commandFailed(result, "reading " + file + " in namespace " + netns);
    }

    /**
     * Reads a file under the sys root (global, not per namespace); empty when it does not exist. In sudo mode a
     * root-only file (the hashsize parameter of a built-in nf_conntrack is 0600) is read with {@code sudo -n cat}.
     */
    public Optional<String> readSys(String relative) {
        Path file = paths.sys(relative);
        if (mode == EffectiveMode.SUDO && Files.isRegularFile(file) && !Files.isReadable(file)) {
            CommandResult result = run(NetnsTarget.OWN, Tool.CAT, List.of(file.toString()));
            if (!result.succeeded()) {
                throw commandFailed(result, "reading " + file);
            }
            return Optional.of(result.stdout());
        }
        return readFile(file);
    }

    /** True when a file exists under the sys root. */
    public boolean sysExists(String relative) {
        return Files.exists(paths.sys(relative));
    }

    /** Fails with 404 when a named namespace does not exist under /run/netns. */
    public void requireNetns(NetnsTarget netns) {
        netns.name().ifPresent(name -> {
            if (!Files.exists(paths.netnsDir().resolve(name))) {
                throw new OperatorProblem(HttpStatus.NOT_FOUND, "netns-not-found", "Network namespace not found",
                        "No network namespace named '" + name + "' under " + paths.netnsDir()
                                + ". List them with 'ip netns list' or GET /api/v1/netns.")
                        .with("field", "netns");
            }
        });
    }

    /** Runs a tool in the target namespace (through nsenter), with sudo in sudo mode. */
    public CommandResult run(NetnsTarget netns, Tool tool, List<String> args) {
        requireNetns(netns);
        return runner.run(argv(netns, tool, args));
    }

    /** Like {@link #run(NetnsTarget, Tool, List)}, with {@code input} on the tool's stdin (`nft -f -`). */
    public CommandResult run(NetnsTarget netns, Tool tool, List<String> args, byte[] input) {
        requireNetns(netns);
        return runner.run(argv(netns, tool, args), input);
    }

    /** Runs a tool as the agent's own user in its own namespace: for harmless queries like --version. */
    public CommandResult runUnprivileged(Tool tool, List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(tools.require(tool).toString());
        argv.addAll(args);
        return runner.run(argv);
    }

    /** The agent's own network namespace as the kernel names it, e.g. net:[4026531840]. */
    public String ownNetns() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * The exact argument list {@link #run} would execute. In sudo mode an nft script ({@code nft -f -}) goes
     * to the root helper instead, which checks it as root and runs nft itself: sudoers cannot see stdin.
     */
    public List<String> argv(NetnsTarget netns, Tool tool, List<String> args) {
        if (mode == EffectiveMode.SUDO && tool == Tool.NFT && args.equals(NFT_SCRIPT_ON_STDIN)) {
            List<String> helper = new ArrayList<>(List.of("nft-apply"));
            netns.name().ifPresent(name -> helper.addAll(List.of("--netns", name)));
            return rootHelperArgv(helper);
        }
        List<String> argv = new ArrayList<>();
        if (mode == EffectiveMode.SUDO) {
            argv.add(tools.require(Tool.SUDO).toString());
            argv.add("-n");
        }
        netns.name().ifPresent(name -> {
            argv.add(tools.require(Tool.NSENTER).toString());
            argv.add("--net=" + paths.netnsDir().resolve(name));
            argv.add("--");
        });
        argv.add(tools.require(tool).toString());
        argv.addAll(args);
        return argv;
    }

    /** {@code sudo -n /usr/local/sbin/conntrack-agent-root ARGS}: sudo mode's one way to write as root. */
    public List<String> rootHelperArgv(List<String> args) {
        List<String> argv = new ArrayList<>(List.of(tools.require(Tool.SUDO).toString(), "-n",
                tools.require(Tool.ROOT_HELPER).toString()));
        argv.addAll(args);
        return argv;
    }

    /** A 502 problem for a host command that failed, quoting what it said. */
    public OperatorProblem commandFailed(CommandResult result, String doing) {
        String said = result.stderr().isBlank() ? result.stdout() : result.stderr();
        said = said.strip();
        if (said.length() > 500) {
            said = said.substring(0, 500) + "...";
        }
        String detail;
        if (result.timedOut()) {
            detail = "Timed out after " + result.durationMillis() + " ms " + doing + "; the command was killed. "
                    + "The host may be overloaded; retry, or raise ctagent.host.command-timeout.";
        } else if (mode == EffectiveMode.SUDO && said.contains("sudo")) {
            detail = "sudo refused " + doing + ": " + said + ". Install packaging/sudoers.d/conntrack-agent "
                    + "so the agent's user may run exactly this command.";
        } else {
            detail = "Host command failed (exit " + result.exitCode() + ") " + doing + ": " + said;
        }
        return new OperatorProblem(HttpStatus.BAD_GATEWAY, "host-command-failed", "Host command failed", detail)
                .with("command", result.argv())
                .with("exitCode", result.exitCode());
    }

    // --- streaming reads and commands (entries): large outputs go to a consumer, never into memory ---

    /** True when a file exists under the proc root of the agent's own namespace: a probe for kernel features. */
    public boolean procExists(String relative) {
        return Files.exists(paths.proc(relative));
    }

    /**
     * Streams a file under the proc root, as the target namespace sees it, to the consumer in constant
     * memory: the agent's own namespace opens the file, a named one streams {@code nsenter ... cat FILE}.
     * False when the file does not exist. A consumer that stops reading early is not a failure; a read
     * that was cut short (timeout, cat failing) is a problem, so the consumer never mistakes a partial
     * file for a whole one.
     */
    public boolean streamProc(NetnsTarget netns, String relative, Duration timeout, StdoutConsumer consumer) {
        Path file = paths.proc(relative);
        if (netns.isOwn()) {
            try (InputStream in = Files.newInputStream(file)) {
                consumer.consume(in);
                return true;
            } catch (NoSuchFileException e) {
                return false;
            } catch (AccessDeniedException e) {
                if (mode != EffectiveMode.SUDO) {
                    throw unreadable(file, e);
                }
                // Not root: read it through `sudo -n cat` below, like any other privileged read.
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Optional<Boolean> direct = streamDirect(netns, relative, consumer);
        if (direct.isPresent()) {
            return direct.get();
        }
        EndOfStream end = new EndOfStream();
        CommandResult result = streamCommand(netns, Tool.CAT, List.of(file.toString()), timeout,
                stdout -> consumer.consume(end.watch(stdout)));
        if (result.succeeded() || (!end.reached && !result.timedOut())) {
            return true;
        }
        if (result.stderr().contains("No such file or directory")) {
            return false;
        }
        throw commandFailed(result, "reading " + file + " in namespace " + netns);
    }

    /**
     * As root, opens a named namespace's net/ file through a {@link NamespaceAnchor} and streams it without
     * a pipe. Empty when that is not possible here (not root, not a net/ file, the anchor failed): the
     * caller then streams it through nsenter and cat.
     */
    Optional<Boolean> streamDirect(NetnsTarget netns, String relative, StdoutConsumer consumer) {
        if (!root || netns.isOwn() || !relative.startsWith("net/") || tools.find(Tool.NSENTER).isEmpty()) {
            return Optional.empty();
        }
        requireNetns(netns);
        Path namespaceFile = paths.netnsDir().resolve(netns.name().orElseThrow());
        List<String> argv = List.of(tools.require(Tool.NSENTER).toString(), "--net=" + namespaceFile, "--",
                tools.require(Tool.CAT).toString());
        Optional<NamespaceAnchor> entered = NamespaceAnchor.enter(argv, namespaceFile);
        if (entered.isEmpty()) {
            log.debug("no anchor in namespace {}; reading {} through cat", netns, relative);
            return Optional.empty();
        }
        InputStream in;
        try (NamespaceAnchor anchor = entered.get()) {
            try {
                in = Files.newInputStream(anchor.file(relative));
            } catch (NoSuchFileException e) {
                return Optional.of(false);
            } catch (IOException e) {
                log.debug("cannot open {} through the anchor in {}: {}", relative, netns, e.getMessage());
                return Optional.empty();
            }
            if (!anchor.inPlace()) {
                closeQuietly(in);
                return Optional.empty();
            }
        }
        // The open file keeps the namespace's table; the anchor is not needed any more.
        try (InputStream table = in) {
            consumer.consume(table);
            return Optional.of(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a tool in the target namespace with its stdout thrown away by the OS; stderr captured and capped. */
    public CommandResult runDiscardingStdout(NetnsTarget netns, Tool tool, List<String> args, Duration timeout) {
        requireNetns(netns);
        return runner.runDiscardingStdout(argv(netns, tool, args), timeout);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing was read from it
        }
    }

    /**
     * Runs a tool in the target namespace (through nsenter, with sudo in sudo mode) and streams its stdout
     * to the consumer in constant memory; stderr is captured and capped, the timeout kills it.
     */
    public CommandResult streamCommand(NetnsTarget netns, Tool tool, List<String> args, Duration timeout,
                                       StdoutConsumer consumer) {
        requireNetns(netns);
        return runner.stream(argv(netns, tool, args), timeout, consumer);
    }

    private static OperatorProblem unreadable(Path file, IOException e) {
        return new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "host-read-failed", "Host file unreadable",
                "Could not read " + file + ": " + e.getMessage()
                        + ". Check that the agent's user may read it and that the host roots are mounted.", e);
    }

    /** Remembers whether a stream was read to its end, to tell "consumer had enough" from "producer died". */
    private static final class EndOfStream {
        private volatile boolean reached;

        InputStream watch(InputStream in) {
            return new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    reached |= b < 0;
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = super.read(buffer, offset, length);
                    reached |= n < 0;
                    return n;
                }
            };
        }
    }

    /**
     * Reads a whole file with large reads. A sysctl file must be read in one read(2): the kernel
     * answers a read at a non-zero offset with end-of-file, so a 1-byte probe read (as
     * Files.readString does for size-0 files) would return only the first digit.
     */
    static Optional<String> readFile(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            byte[] buffer = new byte[READ_CHUNK];
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) > 0) {
                out.write(buffer, 0, n);
            }
            return Optional.of(out.toString(StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "host-read-failed", "Host file unreadable",
                    "Could not read " + file + ": " + e.getMessage()
                            + ". Check that the agent's user may read it and that the host roots are mounted.", e);
        }
    }

    private static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            log.warn("cannot read /proc/self/status to detect root: {}", e.getMessage());
        }
        return false;
    }

    private boolean sudoWorks() {
        Optional<Path> sudo = tools.find(Tool.SUDO);
        if (sudo.isEmpty()) {
            return false;
        }
        // -l lists what we may run without a password; it fails fast under -n when nothing is allowed.
        return runner.run(List.of(sudo.get().toString(), "-n", "-l")).succeeded();
    }
}
