package io.ctagent.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

import io.ctagent.hostagent.CommandResult;
import io.ctagent.hostagent.CommandRunner;
import io.ctagent.hostagent.HostMode;
import io.ctagent.hostagent.HostProperties;

/**
 * A CommandRunner that runs nothing: it records every argv (and stdin) and answers from rules
 * the test sets, the last matching rule winning; anything unmatched succeeds with no output.
 */
public final class FakeCommandRunner extends CommandRunner {

    /** One recorded command. */
    public record Call(List<String> argv, String stdin) {

        /** True when the argv contains all these arguments. */
        public boolean has(String... args) {
            return argv.containsAll(List.of(args));
        }

        /** The arguments after the binary (and after sudo/nsenter when present). */
        public List<String> toolArgs(String binary) {
            for (int i = 0; i < argv.size(); i++) {
                if (argv.get(i).endsWith("/" + binary)) {
                    return argv.subList(i + 1, argv.size());
                }
            }
            throw new AssertionError(binary + " not in " + argv);
        }
    }

    private record Answer(Predicate<Call> when, Function<Call, CommandResult> then) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<Answer> answers = new CopyOnWriteArrayList<>();

    public FakeCommandRunner(HostProperties properties) {
        super(properties);
    }

    /** Host properties whose tool path is a directory of fake executables, so Tools finds them all. */
    public static HostProperties properties(Path root, HostMode mode, String... tools) {
        try {
            Path bin = Files.createDirectories(root.resolve("bin"));
            for (String tool : tools) {
                Path file = bin.resolve(tool);
                if (!Files.exists(file)) {
                    Files.createFile(file,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                }
            }
            Files.createDirectories(root.resolve("run/netns"));
            return new HostProperties(root.resolve("proc").toString(), root.resolve("sys").toString(), root.toString(),
                    mode, Duration.ofSeconds(5), 1 << 20, bin.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public FakeCommandRunner answer(Predicate<Call> when, String stdout) {
        return answer(when, call -> result(call, 0, stdout, ""));
    }

    public FakeCommandRunner fail(Predicate<Call> when, int exitCode, String stderr) {
        return answer(when, call -> result(call, exitCode, "", stderr));
    }

    public FakeCommandRunner answer(Predicate<Call> when, Function<Call, CommandResult> then) {
        answers.add(0, new Answer(when, then));
        return this;
    }

    public List<Call> calls() {
        return new ArrayList<>(calls);
    }

    public List<Call> calls(Predicate<Call> which) {
        return calls.stream().filter(which).toList();
    }

    public void clear() {
        calls.clear();
    }

    @Override
    public CommandResult run(List<String> argv, Duration timeout, byte[] input) {
        Call call = new Call(List.copyOf(argv), input == null ? null : new String(input, StandardCharsets.UTF_8));
        calls.add(call);
        return answers.stream().filter(answer -> answer.when().test(call)).findFirst()
                .map(answer -> answer.then().apply(call))
                .orElseGet(() -> result(call, 0, "", ""));
    }

    /** Recorded and answered like {@link #run}; the answer's stdout is fed to the consumer. */
    @Override
    public CommandResult stream(List<String> argv, Duration timeout, StdoutConsumer consumer) {
        CommandResult answer = run(argv, timeout, null);
        try {
            consumer.consume(new java.io.ByteArrayInputStream(answer.stdout().getBytes(StandardCharsets.UTF_8)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return withoutStdout(answer);
    }

    /** Recorded and answered like {@link #run}, stdout dropped. */
    @Override
    public CommandResult runDiscardingStdout(List<String> argv, Duration timeout) {
        return withoutStdout(run(argv, timeout, null));
    }

    private static CommandResult withoutStdout(CommandResult answer) {
        return new CommandResult(answer.argv(), answer.exitCode(), "", answer.stderr(), answer.durationMillis(),
                answer.timedOut(), answer.truncated());
    }

    public static CommandResult result(Call call, int exitCode, String stdout, String stderr) {
        return new CommandResult(call.argv(), exitCode, stdout, stderr, 1, false, false);
    }
}
