package io.ctagent.monitor;

import java.io.BufferedReader;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.KernelLog;

/**
 * Follows the kernel log from start-up on and turns conntrack messages into events. A missing
 * or unreadable log is reported once as an event and retried later; it never stops the agent.
 */
@Component
class KernelLogWatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(KernelLogWatcher.class);
    private static final long POLL_MILLIS = 100;

    private final KernelLog kernelLog;
    private final EventLog events;
    private final MonitorProperties properties;
    private final Clock clock;
    private volatile boolean running;
    private volatile Thread thread;
    private long lastSequence = -1;
    private boolean reportedUnavailable;

    KernelLogWatcher(KernelLog kernelLog, EventLog events, MonitorProperties properties, Clock clock) {
        this.kernelLog = kernelLog;
        this.events = events;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public void start() {
        running = true;
        // Only messages after this moment count, unless ctagent.monitor.kmsg-replay is set.
        long startedAtMicros = properties.kmsgReplay() ? 0 : kernelLog.uptimeMicros().orElse(0);
        thread = new Thread(() -> follow(startedAtMicros), "kernel-log-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        Thread current = thread;
        if (current != null) {
            current.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void follow(long startedAtMicros) {
        while (running) {
            try (BufferedReader records = kernelLog.open(properties.kmsg())) {
                reportedUnavailable = false;
                Instant boot = bootTime();
                read(records, startedAtMicros, boot);
            } catch (IOException e) {
                if (isOverrun(e)) {
                    continue; // Records were overwritten before we read them: reopen and go on.
                }
                unavailable(e);
                sleep(properties.kmsgRetry().toMillis());
            }
        }
    }

    private void read(BufferedReader records, long startedAtMicros, Instant boot) throws IOException {
        while (running) {
            String line = records.readLine();
            if (line == null) {
                sleep(POLL_MILLIS); // A regular file (tests, replays) ends; /dev/kmsg blocks instead.
                continue;
            }
            Optional<KernelMessage> message = KmsgParser.parseRecord(line);
            if (message.isEmpty() || message.get().sequence() <= lastSequence
                    || message.get().timestampMicros() < startedAtMicros) {
                continue;
            }
            KernelMessage m = message.get();
            lastSequence = m.sequence();
            KmsgParser.recognise(m.text()).ifPresent(r -> events.publish(r.type(), r.severity(), m.text(),
                    r.netnsInode(), "kmsg", boot.plusNanos(m.timestampMicros() * 1000)));
        }
    }

    private Instant bootTime() {
        OptionalLong uptime = kernelLog.uptimeMicros();
        Instant now = Instant.now(clock);
        return uptime.isPresent() ? now.minusNanos(uptime.getAsLong() * 1000) : now;
    }

    private void unavailable(IOException e) {
        if (!reportedUnavailable) {
            reportedUnavailable = true;
            String message = "Cannot read the kernel log " + properties.kmsgPath() + " (" + e.getMessage()
                    + "): table-full incidents will not be detected. Run the agent as root or give it CAP_SYSLOG "
                    + "and access to the device; retrying every " + properties.kmsgRetry().toSeconds() + " s.";
            log.warn(message);
            events.publish(EventType.KERNEL_LOG_UNAVAILABLE, Severity.WARNING, message, null, "agent", null);
        }
    }

    private static boolean isOverrun(IOException e) {
        return e.getMessage() != null && e.getMessage().contains("Broken pipe");
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
