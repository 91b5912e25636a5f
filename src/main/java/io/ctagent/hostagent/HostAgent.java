package io.ctagent.hostagent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.CommandRunner.StdoutConsumer;
import io.ctagent.problem.OperatorProblem;

/**
 * The only way into the host: file reads under the configured roots and host commands, in the
 * agent's own network namespace or a named one, directly or through sudo. A facade over its parts:
 * {@link HostPrivilege} (which mode), {@link CommandLines} (which argv), {@link HostCommands} (running
 * them) and {@link HostReads} (reading files as a namespace sees them).
 */
@Component
public class HostAgent {

    private static final Logger log = LoggerFactory.getLogger(HostAgent.class);

    private final HostPaths paths;
    private final Tools tools;
    private final HostPrivilege privilege;
    private final CommandLines lines;
    private final HostCommands commands;
    private final HostReads reads;

    public HostAgent(HostProperties properties, HostPaths paths, Tools tools, CommandRunner runner) {
        this.paths = paths;
        this.tools = tools;
        this.privilege = HostPrivilege.detect(properties.mode(), tools, runner);
        this.lines = new CommandLines(paths, tools, privilege);
        this.commands = new HostCommands(paths, lines, runner, privilege);
        this.reads = new HostReads(paths, tools, commands, privilege);
        log.info("host agent mode {} (configured {}, root {})", privilege.mode(), privilege.configured(),
                privilege.root());
    }

    public EffectiveMode mode() {
        return privilege.mode();
    }

    public HostMode configuredMode() {
        return privilege.configured();
    }

    public boolean root() {
        return privilege.root();
    }

    public HostPaths paths() {
        return paths;
    }

    public Tools tools() {
        return tools;
    }

    // --- reads ---

    /** Reads a file under the proc root as seen from the target namespace; empty when it does not exist. */
    public Optional<String> readProc(NetnsTarget netns, String relative) {
        return reads.readProc(netns, relative);
    }

    /**
     * Reads a file under the sys root (global, not per namespace); empty when it does not exist. In sudo mode a
     * root-only file (the hashsize parameter of a built-in nf_conntrack is 0600) is read with {@code sudo -n cat}.
     */
    public Optional<String> readSys(String relative) {
        return reads.readSys(relative);
    }

    /** True when a file exists under the sys root. */
    public boolean sysExists(String relative) {
        return reads.sysExists(relative);
    }

    /** True when a file exists under the proc root of the agent's own namespace: a probe for kernel features. */
    public boolean procExists(String relative) {
        return reads.procExists(relative);
    }

    /** The agent's own network namespace as the kernel names it, e.g. net:[4026531840]. */
    public String ownNetns() {
        return reads.ownNetns();
    }

    /** Streams a file under the proc root, as the target namespace sees it, in constant memory; see {@link HostReads}. */
    public boolean streamProc(NetnsTarget netns, String relative, Duration timeout, StdoutConsumer consumer) {
        return reads.streamProc(netns, relative, timeout, consumer);
    }

    Optional<Boolean> streamDirect(NetnsTarget netns, String relative, StdoutConsumer consumer) {
        return reads.streamDirect(netns, relative, consumer);
    }

    /** Reads a whole file in one read(2) where it fits, as sysctl files need; see {@link HostReads#readFile}. */
    static Optional<String> readFile(Path file) {
        return HostReads.readFile(file);
    }

    // --- commands ---

    /** Fails with 404 when a named namespace does not exist under /run/netns. */
    public void requireNetns(NetnsTarget netns) {
        commands.requireNetns(netns);
    }

    /** Runs a tool in the target namespace (through nsenter), with sudo in sudo mode. */
    public CommandResult run(NetnsTarget netns, Tool tool, List<String> args) {
        return commands.run(netns, tool, args);
    }

    /** Like {@link #run(NetnsTarget, Tool, List)}, with {@code input} on the tool's stdin (`nft -f -`). */
    public CommandResult run(NetnsTarget netns, Tool tool, List<String> args, byte[] input) {
        return commands.run(netns, tool, args, input);
    }

    /** Runs a tool as the agent's own user in its own namespace: for harmless queries like --version. */
    public CommandResult runUnprivileged(Tool tool, List<String> args) {
        return commands.runUnprivileged(tool, args);
    }

    /** Runs a tool in the target namespace with its stdout thrown away by the OS; stderr captured and capped. */
    public CommandResult runDiscardingStdout(NetnsTarget netns, Tool tool, List<String> args, Duration timeout) {
        return commands.runDiscardingStdout(netns, tool, args, timeout);
    }

    /**
     * Runs a tool in the target namespace (through nsenter, with sudo in sudo mode) and streams its stdout
     * to the consumer in constant memory; stderr is captured and capped, the timeout kills it.
     */
    public CommandResult streamCommand(NetnsTarget netns, Tool tool, List<String> args, Duration timeout,
                                       StdoutConsumer consumer) {
        return commands.stream(netns, tool, args, timeout, consumer);
    }

    /** A 502 problem for a host command that failed, quoting what it said. */
    public OperatorProblem commandFailed(CommandResult result, String doing) {
        return commands.failed(result, doing);
    }

    // --- command lines ---

    /** The exact argument list {@link #run} would execute; see {@link CommandLines}. */
    public List<String> argv(NetnsTarget netns, Tool tool, List<String> args) {
        return lines.privileged(netns, tool, args);
    }

    /** {@code sudo -n /usr/local/sbin/conntrack-agent-root ARGS}: sudo mode's one way to write as root. */
    public List<String> rootHelperArgv(List<String> args) {
        return lines.rootHelper(args);
    }
}
