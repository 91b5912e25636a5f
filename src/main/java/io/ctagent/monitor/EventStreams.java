package io.ctagent.monitor;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.ctagent.problem.OperatorProblem;

/**
 * The open server-sent-event streams. At most {@code ctagent.events.max-streams}; each ended after
 * {@code ctagent.events.idle-timeout} without an event. Publishing puts the event in each stream's
 * queue and returns at once: whoever publishes (the kernel-log watcher, a change holding the mutation
 * lock) never waits for a subscriber, however slow. Each stream is written by its own sender, one
 * at a time and in order, so a subscriber that stops reading (a write blocks until the container's
 * write timeout) holds up only itself: once {@value #BACKLOG} events wait for it, it is ended and its
 * slot freed (a client reconnecting with Last-Event-ID gets what it missed from the event list,
 * GET /api/v1/events).
 */
@Component
class EventStreams {

    static final int BACKLOG = 1000;
    static final int RETRY_AFTER_SECONDS = 30;

    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    private final int maxStreams;
    private final long idleMillis;
    private final Clock clock;
    private final ThreadPoolExecutor senders;
    private final Supplier<SseEmitter> emitters;

    @Autowired
    EventStreams(EventsProperties properties, Clock clock) {
        this(properties, clock, () -> new SseEmitter(0L));
    }

    /** @param emitters makes the emitter of each new stream (without a time limit: idle ones are ended here) */
    EventStreams(EventsProperties properties, Clock clock, Supplier<SseEmitter> emitters) {
        this.emitters = emitters;
        this.maxStreams = properties.maxStreams();
        this.idleMillis = properties.idleTimeout().toMillis();
        this.clock = clock;
        // A thread for each stream that has something to write, gone when idle: a stream whose write
        // blocks (until the container's write timeout) never delays another.
        this.senders = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "event-streams");
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /**
     * A new stream, or 503 when {@code max-streams} are open.
     *
     * @param backlog the events it gets first (after its Last-Event-ID)
     */
    SseEmitter open(List<AgentEvent> backlog) {
        SseEmitter emitter = emitters.get();
        Stream stream = new Stream(emitter, clock.millis());
        synchronized (streams) {
            if (streams.size() >= maxStreams) {
                OperatorProblem full = new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "too-many-streams",
                        "Too many event streams", maxStreams + " event streams are open, the most "
                        + "ctagent.events.max-streams allows. Retry after " + RETRY_AFTER_SECONDS + " s, or poll "
                        + "GET /api/v1/events?after=<last id> instead.");
                full.getHeaders().set("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
                throw full;
            }
            streams.add(stream);
        }
        emitter.onCompletion(() -> streams.remove(stream));
        emitter.onTimeout(() -> streams.remove(stream));
        emitter.onError(error -> streams.remove(stream));
        // A comment first, so the client gets the response headers now rather than with the first event.
        stream.queue(() -> stream.comment("subscribed"));
        backlog.forEach(event -> stream.queue(() -> stream.send(event)));
        return emitter;
    }

    /** Queues the event for every stream; never blocks. */
    void publish(AgentEvent event) {
        streams.forEach(stream -> stream.queue(() -> stream.send(event)));
    }

    int open() {
        return streams.size();
    }

    /**
     * Ends the streams that carried no event for the idle timeout, and sends the others a comment: a
     * client that went away is only noticed when a write fails, so this frees its slot within seconds.
     */
    @Scheduled(fixedDelay = 5_000)
    void endIdle() {
        long now = clock.millis();
        for (Stream stream : streams) {
            if (now - stream.lastEvent >= idleMillis) {
                streams.remove(stream);
                stream.queue(stream.emitter::complete);
            } else {
                stream.queue(() -> stream.comment("keep-alive"));
            }
        }
    }

    /**
     * Open streams would hold a graceful shutdown for its whole timeout: end them first. A stream whose
     * write still blocks is left to the container (completing it would wait for that write).
     */
    void closeAll() {
        streams.forEach(stream -> stream.queue(stream.emitter::complete));
        streams.clear();
        senders.shutdown();
        try {
            senders.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        senders.shutdownNow();
    }

    private final class Stream {

        private final SseEmitter emitter;
        private final Deque<Runnable> waiting = new ArrayDeque<>();
        private boolean sending;
        /** Ended for falling behind while a write blocked: completed by its sender once that write returns. */
        private boolean ended;
        private volatile long lastEvent;

        Stream(SseEmitter emitter, long now) {
            this.emitter = emitter;
            this.lastEvent = now;
        }

        /** Adds a write to this stream's queue; ends the stream when too many wait. Never blocks. */
        void queue(Runnable write) {
            synchronized (waiting) {
                if (ended) {
                    return;
                }
                if (waiting.size() >= BACKLOG) {
                    // Completing it here would wait for the blocked write: its sender does it after.
                    waiting.clear();
                    ended = true;
                    streams.remove(this);
                    waiting.add(emitter::complete);
                    return;
                }
                waiting.add(write);
                if (sending) {
                    return;
                }
                sending = true;
            }
            try {
                senders.execute(this::drain);
            } catch (RejectedExecutionException shutDown) {
                synchronized (waiting) {
                    waiting.clear();
                    sending = false;
                }
            }
        }

        /** Writes what waits, in order, on this stream's sender; the only thread writing to it. */
        private void drain() {
            while (true) {
                Runnable next;
                synchronized (waiting) {
                    next = waiting.poll();
                    if (next == null) {
                        sending = false;
                        return;
                    }
                }
                try {
                    next.run();
                } catch (RuntimeException unexpected) {
                    // A stream whose write fails in a way send() does not declare is ended, not left "sending".
                    streams.remove(this);
                    synchronized (waiting) {
                        waiting.clear();
                        sending = false;
                    }
                    return;
                }
            }
        }

        void send(AgentEvent event) {
            if (write(SseEmitter.event().id(String.valueOf(event.id())).name(event.type().name()).data(event))) {
                lastEvent = clock.millis();
            }
        }

        void comment(String comment) {
            write(SseEmitter.event().comment(comment));
        }

        private boolean write(SseEmitter.SseEventBuilder event) {
            try {
                emitter.send(event);
                return true;
            } catch (IOException | IllegalStateException gone) {
                streams.remove(this);
                synchronized (waiting) {
                    waiting.clear();
                }
                return false;
            }
        }
    }
}
