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
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

import io.ctagent.hostagent.CommandRunner.StdoutConsumer;
import io.ctagent.problem.OperatorProblem;

/**
 * Reads files under the proc and sys roots as a namespace sees them: the agent's own namespace opens the
 * file, a named one goes through {@code nsenter ... cat} (or, as root, a {@link NamespaceAnchor}), and a
 * root-only file in sudo mode through {@code sudo -n cat}. Large files stream to a consumer.
 */
final class HostReads {

    private static final Logger log = LoggerFactory.getLogger(HostReads.class);
    /** A page: what the kernel hands a sysctl read at most, and small enough to allocate per read. */
    private static final int READ_CHUNK = 4096;

    private final HostPaths paths;
    private final Tools tools;
    private final HostCommands commands;
    private final HostPrivilege privilege;

    HostReads(HostPaths paths, Tools tools, HostCommands commands, HostPrivilege privilege) {
        this.paths = paths;
        this.tools = tools;
        this.commands = commands;
        this.privilege = privilege;
    }

    Optional<String> readProc(NetnsTarget netns, String relative) {
        Path file = paths.proc(relative);
        if (netns.isOwn()) {
            return readFile(file);
        }
        CommandResult result = commands.run(netns, Tool.CAT, List.of(file.toString()));
        if (result.succeeded()) {
            return Optional.of(result.stdout());
        }
        if (result.stderr().contains("No such file or directory")) {
            return Optional.empty();
        }
        throw commands.failed(result, "reading " + file + " in namespace " + netns);
    }

    Optional<String> readSys(String relative) {
        Path file = paths.sys(relative);
        if (privilege.sudo() && Files.isRegularFile(file) && !Files.isReadable(file)) {
            CommandResult result = commands.run(NetnsTarget.OWN, Tool.CAT, List.of(file.toString()));
            if (!result.succeeded()) {
                throw commands.failed(result, "reading " + file);
            }
            return Optional.of(result.stdout());
        }
        return readFile(file);
    }

    boolean sysExists(String relative) {
        return Files.exists(paths.sys(relative));
    }

    boolean procExists(String relative) {
        return Files.exists(paths.proc(relative));
    }

    /** The agent's own network namespace as the kernel names it, e.g. net:[4026531840]; null when unknown. */
    String ownNetns() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * Streams a file under the proc root, as the target namespace sees it, to the consumer in constant
     * memory: the agent's own namespace opens the file, a named one streams {@code nsenter ... cat FILE}.
     * False when the file does not exist. A consumer that stops reading early is not a failure; a read
     * that was cut short (timeout, cat failing) is a problem, so the consumer never mistakes a partial
     * file for a whole one.
     */
    boolean streamProc(NetnsTarget netns, String relative, Duration timeout, StdoutConsumer consumer) {
        Path file = paths.proc(relative);
        if (netns.isOwn()) {
            try (InputStream in = Files.newInputStream(file)) {
                consumer.consume(in);
                return true;
            } catch (NoSuchFileException e) {
                return false;
            } catch (AccessDeniedException e) {
                if (!privilege.sudo()) {
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
        CommandResult result = commands.stream(netns, Tool.CAT, List.of(file.toString()), timeout,
                stdout -> consumer.consume(end.watch(stdout)));
        if (result.succeeded() || (!end.reached && !result.timedOut())) {
            return true;
        }
        if (result.stderr().contains("No such file or directory")) {
            return false;
        }
        throw commands.failed(result, "reading " + file + " in namespace " + netns);
    }

    /**
     * As root, opens a named namespace's net/ file through a {@link NamespaceAnchor} and streams it without
     * a pipe. Empty when that is not possible here (not root, not a net/ file, the anchor failed): the
     * caller then streams it through nsenter and cat.
     */
    Optional<Boolean> streamDirect(NetnsTarget netns, String relative, StdoutConsumer consumer) {
        if (!privilege.root() || netns.isOwn() || !relative.startsWith("net/") || tools.find(Tool.NSENTER).isEmpty()) {
            return Optional.empty();
        }
        commands.requireNetns(netns);
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
            throw unreadable(file, e);
        }
    }

    private static OperatorProblem unreadable(Path file, IOException e) {
        return new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "host-read-failed", "Host file unreadable",
                "Could not read " + file + ": " + e.getMessage()
                        + ". Check that the agent's user may read it and that the host roots are mounted.", e);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing was read from it
        }
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
}
