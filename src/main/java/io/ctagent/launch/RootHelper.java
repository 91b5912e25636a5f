package io.ctagent.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.slf4j.LoggerFactory;

import io.ctagent.hashsize.ManagedModprobeCheck;
import io.ctagent.hostagent.CommandResult;
import io.ctagent.hostagent.CommandRunner;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.HostMode;
import io.ctagent.hostagent.HostProperties;
import io.ctagent.hostagent.HostPaths;
import io.ctagent.hostagent.HostWrite;
import io.ctagent.hostagent.HostWriter;
import io.ctagent.hostagent.ManagedFileLines;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Tool;
import io.ctagent.hostagent.Tools;
import io.ctagent.notrack.NftScriptCheck;
import io.ctagent.problem.OperatorProblem;
import io.ctagent.sysctl.ManagedDropInCheck;

/**
 * The root helper of sudo mode: {@code conntrack-agent-root SUBCOMMAND ...}, the only program the shipped
 * sudoers file lets the agent's user run as root besides exact sysctl, conntrack, iptables and read
 * commands. The root-owned launcher (bin/conntrack-agent-root) runs the agent's own jar with a clean
 * environment and fixed JVM options, so nothing of the caller reaches the JVM but these arguments and
 * standard input. Each subcommand checks its input as root with the agent's own parsers, then does the
 * one thing the agent would do in direct mode, through the same HostWriter and HostAgent code:
 * <ul>
 * <li>{@code persist PATH}: the managed sysctl drop-in or modprobe.d file (the two fixed paths only), content
 * on stdin, checked line by line, replaced atomically;</li>
 * <li>{@code set-hashsize N}: the nf_conntrack hashsize module parameter, an integer in range;</li>
 * <li>{@code nft-apply [--netns NAME]}: an nft script on stdin for the table {@code inet conntrack_agent} only,
 * rendered again from typed values, in the agent's namespace or a named one under /run/netns.</li>
 * </ul>
 * Exit 0 done, 2 refused (nothing changed), 1 the host failed; the reason on stderr, nothing on stderr on success.
 */
public final class RootHelper {

    public static final String FLAG = "--root-helper";

    static final String SYSCTL_DROP_IN = "etc/sysctl.d/90-conntrack-agent.conf";
    static final String MODPROBE_FILE = "etc/modprobe.d/conntrack-agent.conf";
    static final String HASHSIZE = "module/nf_conntrack/parameters/hashsize";
    /** The kernel refuses a hash table larger than UINT_MAX / 8 buckets. */
    static final long MAX_HASHSIZE = 0xFFFF_FFFFL / 8;
    static final int MAX_INPUT = ManagedFileLines.MAX_CHARS;

    /** The files the helper may write, each with the check its content must pass. */
    private static final Map<String, UnaryOperator<String>> FILES = Map.of(
            SYSCTL_DROP_IN, ManagedDropInCheck::check,
            MODPROBE_FILE, ManagedModprobeCheck::check);

    private RootHelper() {
    }

    /** Only as the first argument: the launcher puts it there, a caller cannot move it. */
    public static boolean requested(String[] args) {
        return args.length > 0 && args[0].equals(FLAG);
    }

    /** The process exit code, on the real host (proc, sys and rootfs at /). */
    public static int run(String[] args) {
        quietLogging();
        HostProperties host = new HostProperties("/proc", "/sys", "/", HostMode.DIRECT, Duration.ofSeconds(10),
                1 << 20, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        return run(args, System.in, System.out, System.err, host);
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, HostProperties properties) {
        List<String> words = List.of(args).subList(1, args.length);
        try {
            if (words.isEmpty()) {
                throw new Refused("no subcommand; one of persist PATH, set-hashsize N, nft-apply [--netns NAME]");
            }
            CommandRunner runner = new CommandRunner(properties);
            HostAgent host = new HostAgent(properties, new HostPaths(properties), new Tools(properties), runner);
            HostWriter writer = new HostWriter(host, runner);
            return switch (words.get(0)) {
                case "persist" -> persist(words, in, err, writer);
                case "set-hashsize" -> setHashsize(words, err, writer);
                case "nft-apply" -> nftApply(words, in, out, err, host);
                default -> throw new Refused("unknown subcommand '" + printable(words.get(0)) + "'");
            };
        } catch (Refused | IllegalArgumentException e) {
            err.println("conntrack-agent-root: refused: " + e.getMessage());
            return 2;
        } catch (OperatorProblem e) {
            err.println("conntrack-agent-root: refused: " + e.getBody().getDetail());
            return 2;
        }
    }

    private static int persist(List<String> words, InputStream in, PrintStream err, HostWriter writer) {
        arguments(words, 2);
        String path = words.get(1);
        String relative = path.startsWith("/") ? path.substring(1) : "";
        UnaryOperator<String> check = FILES.get(relative);
        if (check == null) {
            throw new Refused("persist writes only /" + SYSCTL_DROP_IN + " and /" + MODPROBE_FILE + ", not '"
                    + printable(path) + "'");
        }
        String content = check.apply(input(in));
        return outcome(writer.replaceFile(relative, content), err);
    }

    private static int setHashsize(List<String> words, PrintStream err, HostWriter writer) {
        arguments(words, 2);
        String text = words.get(1);
        if (!text.matches("[1-9][0-9]{0,9}") || Long.parseLong(text) > MAX_HASHSIZE) {
            throw new Refused("set-hashsize takes a number of buckets from 1 to " + MAX_HASHSIZE + ", not '"
                    + printable(text) + "'");
        }
        return outcome(writer.writeSysParameter(HASHSIZE, Long.parseLong(text)), err);
    }

    private static int nftApply(List<String> words, InputStream in, PrintStream out, PrintStream err,
                                HostAgent host) {
        NetnsTarget netns = NetnsTarget.OWN;
        if (words.size() == 3 && words.get(1).equals("--netns")) {
            // The name only: always under /run/netns, never a path the caller chose.
            netns = NetnsTarget.parse(words.get(2));
            if (netns.isOwn()) {
                throw new Refused("--netns needs a namespace name");
            }
        } else {
            arguments(words, 1);
        }
        String script = NftScriptCheck.rebuild(input(in));
        CommandResult result = host.run(netns, Tool.NFT, List.of("-f", "-"),
                script.getBytes(StandardCharsets.UTF_8));
        out.print(result.stdout());
        err.print(result.stderr());
        return result.exitCode() == 0 ? 0 : 1;
    }

    private static int outcome(HostWrite write, PrintStream err) {
        if (write.succeeded()) {
            return 0;
        }
        err.println(write.message());
        return 1;
    }

    private static void arguments(List<String> words, int count) {
        if (words.size() != count) {
            throw new Refused(words.get(0) + " takes " + (count - 1) + " argument(s), got " + (words.size() - 1));
        }
    }

    private static String input(InputStream in) {
        try {
            byte[] bytes = in.readNBytes(MAX_INPUT + 1);
            if (bytes.length > MAX_INPUT) {
                throw new Refused("standard input is longer than " + MAX_INPUT + " bytes");
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (text.indexOf('\r') >= 0 || text.indexOf('\0') >= 0) {
                throw new Refused("standard input holds a carriage return or a NUL byte");
            }
            return text;
        } catch (IOException e) {
            throw new Refused("cannot read standard input: " + e.getMessage());
        }
    }

    private static String printable(String text) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    /** Nothing but the helper's own answer on stdout and stderr: the agent reads stderr as the error. */
    private static void quietLogging() {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }
}
