package io.ctagent.monitor;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * {@code ctagent.events.idle-timeout} without an event. Publishing hands the event to one sender
 * thread and returns at once: whoever publishes (the kernel-log watcher, a change holding the mutation
 * lock) never waits for a subscriber, however slow. If the sender falls behind by more than
 * {@value #BACKLOG} events, the oldest waiting are dropped for the streams (they stay in the event
 * list, GET /api/v1/events).
 */
@Component
class EventStreams {

    static final int BACKLOG = 1000;
    static final int RETRY_AFTER_SECONDS = 30;

    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    private final int maxStreams;
    private final long idleMillis;
    private final Clock clock;
    private final ThreadPoolExecutor sender;
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
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(BACKLOG),
                runnable -> {
                    Thread thread = new Thread(runnable, "event-streams");
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.DiscardOldestPolicy());
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
        // On the sender thread like every write, so a stream's writes never interleave.
        sender.execute(() -> {
            stream.comment("subscribed");
            backlog.forEach(stream::send);
        });
        return emitter;
    }

    /** Hands the event to the sender thread; never blocks. */
    void publish(AgentEvent event) {
        if (!streams.isEmpty()) {
            sender.execute(() -> streams.forEach(stream -> stream.send(event)));
        }
    }

    int open() {
        return streams.size();
    }

    /**
     * Ends the streams that carried no event for the idle timeout, and sends the others a comment: a
     * client that went away is only noticed when a write fails, so this frees its slot within seconds.
     * On the sender thread, as every write.
     */
    @Scheduled(fixedDelay = 5_000)
    void endIdle() {
        long now = clock.millis();
        for (Stream stream : streams) {
            if (now - stream.lastEvent >= idleMillis) {
                streams.remove(stream);
                sender.execute(stream.emitter::complete);
            } else {
                sender.execute(() -> stream.comment("keep-alive"));
            }
        }
    }

    /** Open streams would hold a graceful shutdown for its whole timeout: end them first. */
    void closeAll() {
        streams.forEach(stream -> stream.emitter.complete());
        streams.clear();
        sender.shutdownNow();
    }

    private final class Stream {

        private final SseEmitter emitter;
        private volatile long lastEvent;

        Stream(SseEmitter emitter, long now) {
            this.emitter = emitter;
            this.lastEvent = now;
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
                return false;
            }
        }
    }
}
