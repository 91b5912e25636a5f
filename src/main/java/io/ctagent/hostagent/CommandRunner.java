package io.ctagent.hostagent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.problem.OperatorProblem;

/**
 * Runs one host command as an argument list: no shell, a clean environment, stdin closed (or fed a script),
 * stdout and stderr captured separately and capped, and a timeout that kills the process tree.
 */
@Component
public class CommandRunner {

    private static final String SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final ExecutorService readers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "command-output");
        thread.setDaemon(true);
        return thread;
    });
    private final ScheduledExecutorService watchdogs = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "command-watchdog");
        thread.setDaemon(true);
        return thread;
    });
    private final Duration defaultTimeout;
    private final int maxOutputBytes;

    public CommandRunner(HostProperties properties) {
        this.defaultTimeout = properties.commandTimeout();
        this.maxOutputBytes = properties.maxOutputBytes();
    }

    public CommandResult run(List<String> argv) {
        return run(argv, defaultTimeout);
    }

    public CommandResult run(List<String> argv, Duration timeout) {
        return run(argv, timeout, null);
    }

    /** Runs with the default timeout and {@code input} written to stdin. */
    public CommandResult run(List<String> argv, byte[] input) {
        return run(argv, defaultTimeout, input);
    }

    /**
     * Like {@link #run(List, Duration)}, but writes {@code input} to the command's stdin and then
     * closes it: for tools that read a whole script from stdin (`nft -f -`). Null sends nothing.
     */
    public CommandResult run(List<String> argv, Duration timeout, byte[] input) {
        long started = System.nanoTime();
        Process process = start(argv, ProcessBuilder.Redirect.PIPE);
        Future<Captured> stdout = readers.submit(() -> capture(process.getInputStream()));
        Future<Captured> stderr = readers.submit(() -> capture(process.getErrorStream()));
        // Written by a pool thread: a child that never reads stdin must not block us past the timeout.
        readers.submit(() -> feed(process.getOutputStream(), input));
        boolean timedOut = awaitOrKill(process, timeout);
        Captured out = collect(stdout);
        Captured err = collect(stderr);
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        int exit = timedOut ? -1 : process.exitValue();
        return new CommandResult(List.copyOf(argv), exit, out.text(), err.text(), millis, timedOut,
                out.truncated() || err.truncated());
    }

    private static void feed(OutputStream stdin, byte[] input) {
        try (stdin) {
            if (input != null) {
                stdin.write(input);
            }
        } catch (IOException ignored) {
            // The child may already have exited or closed its stdin; its exit code tells the rest.
        }
    }

    // --- streaming commands (entries): stdout goes to a consumer instead of memory ---

    /** Reads a command's stdout as it is produced; see {@link #stream}. */
    @FunctionalInterface
    public interface StdoutConsumer {
        void consume(InputStream stdout) throws IOException;
    }

    /**
     * Runs a command whose stdout the consumer reads as it is produced, so a large output never sits in
     * memory. Stderr is captured and capped as in {@link #run}. The timeout kills the process tree even
     * while the consumer is reading: the consumer then sees the end of the output and the result says
     * timedOut. When the consumer returns before the end, the command is stopped (nobody wants the rest).
     * The result's stdout is empty: it went to the consumer. An exception from the consumer stops the
     * command and is rethrown, an IOException as UncheckedIOException.
     */
    public CommandResult stream(List<String> argv, Duration timeout, StdoutConsumer consumer) {
        long started = System.nanoTime();
        Process process = start(argv, ProcessBuilder.Redirect.PIPE);
        closeStdin(process);
        Future<Captured> stderr = readers.submit(() -> capture(process.getErrorStream()));
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> watchdog = watchdogs.schedule(() -> {
            timedOut.set(true);
            killTree(process);
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try (InputStream stdout = process.getInputStream()) {
            consumer.consume(stdout);
        } catch (IOException e) {
            killTree(process);
            if (!timedOut.get()) {
                throw new UncheckedIOException(e);
            }
            // The watchdog killed the command under the consumer's feet ("Stream closed"): a timeout.
        } catch (UncheckedIOException e) {
            killTree(process);
            if (!timedOut.get()) {
                throw e;
            }
        } catch (RuntimeException | Error e) {
            killTree(process);
            throw e;
        } finally {
            watchdog.cancel(false);
        }
        // stdout is closed now: a producer that still writes gets EPIPE and exits at once.
        awaitOrKill(process, Duration.ofSeconds(2));
        Captured err = collect(stderr);
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        boolean killed = timedOut.get() || process.isAlive();
        int exit = killed ? -1 : process.exitValue();
        return new CommandResult(List.copyOf(argv), exit, "", err.text(), millis, killed, err.truncated());
    }

    /**
     * Runs a command whose stdout nobody needs (conntrack -D prints every entry it deletes): it goes to
     * /dev/null at the OS level, costing neither memory nor a pipe. Stderr is captured and capped, and
     * the timeout kills the process tree, as in {@link #run}.
     */
    public CommandResult runDiscardingStdout(List<String> argv, Duration timeout) {
        long started = System.nanoTime();
        Process process = start(argv, ProcessBuilder.Redirect.DISCARD);
        closeStdin(process);
        Future<Captured> stderr = readers.submit(() -> capture(process.getErrorStream()));
        boolean timedOut = awaitOrKill(process, timeout);
        Captured err = collect(stderr);
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        int exit = timedOut || process.isAlive() ? -1 : process.exitValue();
        return new CommandResult(List.copyOf(argv), exit, "", err.text(), millis, timedOut, err.truncated());
    }

    /** The one way a command starts: an absolute binary, a clean environment, stdout where asked. */
    private static Process start(List<String> argv, ProcessBuilder.Redirect stdout) {
        if (argv.isEmpty() || !argv.get(0).startsWith("/")) {
            throw new IllegalArgumentException("a command starts with an absolute binary: " + argv);
        }
        ProcessBuilder builder = new ProcessBuilder(argv).redirectOutput(stdout);
        builder.environment().clear();
        builder.environment().put("PATH", SAFE_PATH);
        builder.environment().put("LC_ALL", "C");
        try {
            return builder.start();
        } catch (IOException e) {
            throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "command-failed", "Host command could not start",
                    "Could not start " + argv.get(0) + " (" + e.getMessage() + "). Check that it is installed and "
                            + "executable by the agent's user.", e);
        }
    }

    private static void closeStdin(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // The child may already have exited; nothing to send it anyway.
        }
    }

    /**
     * The one way a command ends: waits up to {@code timeout}, then kills its process tree (and waits a
     * little for that); true when it had to be killed, also when this thread was interrupted.
     */
    private static boolean awaitOrKill(Process process, Duration timeout) {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
            killTree(process);
            process.waitFor(2, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private Captured capture(InputStream stream) throws IOException {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        boolean truncated = false;
        try (stream) {
            int n;
            while ((n = stream.read(buffer)) != -1) {
                int room = maxOutputBytes - kept.size();
                if (room > 0) {
                    kept.write(buffer, 0, Math.min(room, n));
                }
                // Keep draining past the cap so the child never blocks on a full pipe.
                truncated |= n > room;
            }
        }
        return new Captured(kept.toString(StandardCharsets.UTF_8), truncated);
    }

    private static Captured collect(Future<Captured> future) {
        try {
            return future.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Captured("", true);
        } catch (ExecutionException | TimeoutException e) {
            // A grandchild that escaped the kill can hold the pipe open; give up on its output.
            future.cancel(true);
            return new Captured("", true);
        }
    }

    private record Captured(String text, boolean truncated) {
    }
}
