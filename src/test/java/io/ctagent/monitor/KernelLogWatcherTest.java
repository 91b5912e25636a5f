package io.ctagent.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.hostagent.HostNamespaces;
import io.ctagent.hostagent.HostPaths;
import io.ctagent.hostagent.KernelLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class KernelLogWatcherTest {

    private static final long STARTED_AT_MICROS = 1_000_000_000L;

    @TempDir
    Path temp;

    private KernelLogWatcher watcher;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** A kernel log whose clock says the agent started at STARTED_AT_MICROS since boot. */
    private final class FixedUptimeLog extends KernelLog {
        FixedUptimeLog() {
            super(mock(HostPaths.class));
        }

        @Override
        public OptionalLong uptimeMicros() {
            return OptionalLong.of(STARTED_AT_MICROS);
        }
    }

    private EventLog start(Path kmsg, boolean replay) {
        HostNamespaces namespaces = org.mockito.Mockito.mock(HostNamespaces.class);
        org.mockito.Mockito.when(namespaces.named()).thenReturn(Map.of("lab1", 4026532247L));
        MonitorProperties properties = new MonitorProperties(kmsg.toString(), replay, Duration.ofMillis(200), 100);
        EventLog events = new EventLog(properties, namespaces, Clock.systemUTC(), registry, event -> { });
        watcher = new KernelLogWatcher(new FixedUptimeLog(), events, properties, Clock.systemUTC());
        watcher.start();
        return events;
    }

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.stop();
        }
    }

    @Test
    void reportsTableFullLoggedAfterStartUpAndNamesTheNamespace() throws Exception {
        Path kmsg = temp.resolve("kmsg");
        Files.writeString(kmsg, "4,10,5,-;nf_conntrack: table full, dropping packet\n");
        EventLog events = start(kmsg, false);

        append(kmsg, "6,11," + (STARTED_AT_MICROS + 10) + ",-;e1000: link up\n"
                + "4,12," + (STARTED_AT_MICROS + 20)
                + ",-;nf_conntrack: nf_conntrack: table full in netns 4026532247, dropping packet\n");

        List<AgentEvent> seen = awaitEvents(events, 1);
        assertThat(seen).hasSize(1);
        AgentEvent event = seen.get(0);
        assertThat(event.type()).isEqualTo(EventType.TABLE_FULL);
        assertThat(event.netnsInode()).isEqualTo(4026532247L);
        assertThat(event.netns()).isEqualTo("lab1");
        assertThat(event.source()).isEqualTo("kmsg");
        assertThat(registry.get("ctagent.table.full.events").counter().count()).isEqualTo(1.0);
    }

    @Test
    void replayAlsoReportsOlderMessages() throws Exception {
        Path kmsg = temp.resolve("kmsg");
        Files.writeString(kmsg, "4,10,5,-;nf_conntrack: table full, dropping packet\n");

        EventLog events = start(kmsg, true);

        assertThat(awaitEvents(events, 1)).extracting(AgentEvent::type).containsExactly(EventType.TABLE_FULL);
    }

    @Test
    void aMissingKernelLogIsReportedOnceAndTheWatcherKeepsRunning() throws Exception {
        EventLog events = start(temp.resolve("no-such-kmsg"), false);

        List<AgentEvent> seen = awaitEvents(events, 1);
        Thread.sleep(700); // several retry intervals
        assertThat(events.list(0, null, 100)).hasSize(1);
        assertThat(seen.get(0).type()).isEqualTo(EventType.KERNEL_LOG_UNAVAILABLE);
        assertThat(seen.get(0).message()).contains("table-full incidents will not be detected");
        assertThat(watcher.isRunning()).isTrue();
    }

    private static void append(Path file, String text) throws Exception {
        Files.writeString(file, text, StandardOpenOption.APPEND);
    }

    private static List<AgentEvent> awaitEvents(EventLog events, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline && events.list(0, null, 100).size() < count) {
            Thread.sleep(20);
        }
        return events.list(0, null, 100);
    }
}
