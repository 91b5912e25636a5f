package io.ctagent.hostagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class CommandRunnerTest {

    private final CommandRunner runner = new CommandRunner(TestHostProperties.runner(Duration.ofSeconds(10), 1000));

    @Test
    void passesArgumentsLiterallyWithoutAShell() {
        CommandResult result = runner.run(List.of("/bin/echo", "a; touch /tmp/pwned", "$(id)"));

        assertThat(result.succeeded()).isTrue();
        assertThat(result.stdout()).isEqualTo("a; touch /tmp/pwned $(id)\n");
    }

    @Test
    void capturesStdoutAndStderrSeparatelyWithTheExitCode() {
        CommandResult result = runner.run(List.of("/bin/ls", "/definitely-not-here"));

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.succeeded()).isFalse();
        assertThat(result.stdout()).isEmpty();
        assertThat(result.stderr()).contains("definitely-not-here");
    }

    @Test
    void killsACommandThatOutlivesItsTimeout() {
        long started = System.nanoTime();

        CommandResult result = runner.run(List.of("/bin/sleep", "30"), Duration.ofMillis(300));

        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void capsOutputButDrainsTheRestSoTheChildFinishes() {
        CommandResult result = runner.run(List.of("/usr/bin/head", "-c", "5000000", "/dev/zero"));

        assertThat(result.succeeded()).isTrue();
        assertThat(result.truncated()).isTrue();
        assertThat(result.stdout()).hasSize(1000);
    }

    @Test
    void runsWithAMinimalEnvironment() {
        CommandResult result = runner.run(List.of("/usr/bin/env"));

        assertThat(result.stdout().lines()).containsExactlyInAnyOrder(
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C");
    }

    @Test
    void refusesABinaryThatIsNotAnAbsolutePath() {
        assertThatThrownBy(() -> runner.run(List.of("sh", "-c", "id"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void streamsStdoutToTheConsumerWithoutKeepingIt() {
        AtomicLong seen = new AtomicLong();

        CommandResult result = runner.stream(List.of("/usr/bin/head", "-c", "5000000", "/dev/zero"),
                Duration.ofSeconds(10), stdout -> seen.set(drain(stdout)));

        assertThat(seen.get()).isEqualTo(5_000_000);
        assertThat(result.succeeded()).isTrue();
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void stopsTheCommandWhenTheConsumerHasHadEnough() {
        long started = System.nanoTime();

        CommandResult result = runner.stream(List.of("/usr/bin/yes"), Duration.ofSeconds(20),
                stdout -> stdout.readNBytes(10));

        assertThat(result.timedOut()).isFalse();
        assertThat(result.succeeded()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void killsAStreamingCommandAtItsTimeoutWhileTheConsumerIsStillReading() {
        long started = System.nanoTime();
        AtomicLong seen = new AtomicLong();

        CommandResult result = runner.stream(List.of("/usr/bin/yes"), Duration.ofMillis(300), stdout -> {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = stdout.read(buffer)) > 0) {
                seen.addAndGet(n);
            }
        });

        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(-1);
        assertThat(seen.get()).isPositive();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void capturesStderrOfAStreamingCommandCapped() {
        CommandResult result = runner.stream(List.of("/bin/ls", "/definitely-not-here"), Duration.ofSeconds(10),
                CommandRunnerTest::drain);

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("definitely-not-here");
    }

    @Test
    void aFailingConsumerStopsTheCommandAndTheFailureReachesTheCaller() {
        long started = System.nanoTime();

        assertThatThrownBy(() -> runner.stream(List.of("/usr/bin/yes"), Duration.ofSeconds(20), stdout -> {
            stdout.read();
            throw new IOException("client went away");
        })).isInstanceOf(UncheckedIOException.class).hasMessageContaining("client went away");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void discardsStdoutAtTheSourceAndKeepsStderr() {
        CommandResult result = runner.runDiscardingStdout(List.of("/usr/bin/head", "-c", "50000000", "/dev/zero"),
                Duration.ofSeconds(10));
        CommandResult failed = runner.runDiscardingStdout(List.of("/bin/ls", "/definitely-not-here"),
                Duration.ofSeconds(10));

        assertThat(result.succeeded()).isTrue();
        assertThat(result.stdout()).isEmpty();
        assertThat(result.truncated()).isFalse();
        assertThat(failed.exitCode()).isNotZero();
        assertThat(failed.stderr()).contains("definitely-not-here");
    }

    @Test
    void aDiscardingCommandIsKilledAtItsTimeout() {
        long started = System.nanoTime();

        CommandResult result = runner.runDiscardingStdout(List.of("/usr/bin/yes"), Duration.ofMillis(300));

        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aStreamingCommandAlsoNeedsAnAbsoluteBinary() {
        assertThatThrownBy(() -> runner.stream(List.of("cat"), Duration.ofSeconds(1), CommandRunnerTest::drain))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static long drain(InputStream in) throws IOException {
        return in.transferTo(java.io.OutputStream.nullOutputStream());
    }
}
