package io.ctagent.hostagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Feeding a script on stdin, as `nft -f -` needs. */
class CommandRunnerInputTest {

    private final CommandRunner runner = new CommandRunner(TestHostProperties.runner(Duration.ofSeconds(10), 1 << 20));

    @Test
    void writesTheInputToStdinAndClosesIt() {
        CommandResult result = runner.run(List.of("/bin/cat"), "add table inet x\n".getBytes(StandardCharsets.UTF_8));

        assertThat(result.succeeded()).isTrue();
        assertThat(result.stdout()).isEqualTo("add table inet x\n");
    }

    @Test
    void withoutInputStdinIsClosedSoAReaderSeesEndOfFile() {
        CommandResult result = runner.run(List.of("/bin/cat"), Duration.ofSeconds(5), null);

        assertThat(result.timedOut()).isFalse();
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void aChildThatNeverReadsALargeInputIsStillKilledByTheTimeout() {
        long started = System.nanoTime();

        CommandResult result = runner.run(List.of("/bin/sleep", "30"), Duration.ofMillis(300), new byte[1 << 20]);

        assertThat(result.timedOut()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void theHostAgentPassesInputToTheToolItRuns() {
        HostProperties properties = TestHostProperties.withMode("/proc", "/sys", "/", HostMode.DIRECT);
        HostAgent agent = new HostAgent(properties, new HostPaths(properties), new Tools(properties),
                new CommandRunner(properties));

        CommandResult result = agent.run(NetnsTarget.OWN, Tool.CAT, List.of("-"), "x y\n".getBytes(StandardCharsets.UTF_8));

        assertThat(result.stdout()).isEqualTo("x y\n");
    }
}
