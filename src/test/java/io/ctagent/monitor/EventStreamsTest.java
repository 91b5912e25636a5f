package io.ctagent.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.web.ErrorResponse;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.ctagent.testsupport.MutableClock;

class EventStreamsTest {

    static AgentEvent event(long id) {
        return new AgentEvent(id, Instant.parse("2026-01-31T13:00:00Z"), EventType.TABLE_FULL, Severity.CRITICAL,
                "nf_conntrack: table full, dropping packet", null, null, "kmsg");
    }

    /** A subscriber whose every write hangs until released: a client that stopped reading. */
    static final class Stuck extends SseEmitter {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger writes = new AtomicInteger();
        volatile boolean completed;

        @Override
        public void complete() {
            completed = true;
        }

        @Override
        public void send(SseEventBuilder builder) throws IOException {
            writes.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    @Test
    void publishingNeverWaitsForASlowSubscriber() throws Exception {
        Stuck stuck = new Stuck();
        EventStreams streams = new EventStreams(EventsProperties.defaults(), Clock.systemUTC(), () -> stuck);
        try {
            streams.open(List.of());
            long start = System.nanoTime();
            // As a change would, holding a lock while it publishes.
            synchronized (this) {
                for (int i = 1; i <= 5_000; i++) {
                    streams.publish(event(i));
                }
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis()).isLessThan(1_000);
            assertThat(stuck.writes.get()).as("the subscriber is stuck in its first write").isEqualTo(1);
        } finally {
            stuck.release.countDown();
            streams.closeAll();
        }
    }

    /** A subscriber that reads: records each write. */
    static final class Reading extends SseEmitter {
        final List<String> written = new CopyOnWriteArrayList<>();

        @Override
        public void send(SseEventBuilder builder) {
            written.add(builder.build().stream().map(part -> String.valueOf(part.getData())).reduce("", String::concat));
        }
    }

    @Test
    void aSubscriberThatStoppedReadingDelaysNoOtherStream() throws Exception {
        Stuck stuck = new Stuck();
        Reading reading = new Reading();
        Iterator<SseEmitter> next = List.<SseEmitter>of(stuck, reading).iterator();
        EventStreams streams = new EventStreams(EventsProperties.defaults(), Clock.systemUTC(), next::next);
        try {
            streams.open(List.of());
            streams.open(List.of());
            for (int i = 1; i <= 3; i++) {
                streams.publish(event(i));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (reading.written.size() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(reading.written).hasSize(4);
            assertThat(reading.written.get(0)).contains("subscribed");
            assertThat(reading.written.get(3)).contains("AgentEvent[id=3,");
            assertThat(stuck.writes.get()).as("the other subscriber is still stuck in its first write").isEqualTo(1);
        } finally {
            stuck.release.countDown();
            streams.closeAll();
        }
    }

    @Test
    void aSubscriberFallingTooFarBehindIsEndedAndFreesItsSlot() throws Exception {
        Stuck stuck = new Stuck();
        EventStreams streams = new EventStreams(new EventsProperties(1, Duration.ofMinutes(5)), Clock.systemUTC(),
                () -> stuck);
        try {
            streams.open(List.of());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (stuck.writes.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(stuck.writes.get()).as("stuck in writing its first comment").isEqualTo(1);
            for (int i = 1; i <= EventStreams.BACKLOG; i++) {
                streams.publish(event(i));
            }
            assertThat(streams.open()).as("up to the backlog it waits").isEqualTo(1);
            streams.publish(event(EventStreams.BACKLOG + 1));
            streams.publish(event(EventStreams.BACKLOG + 2));
            assertThat(streams.open()).isZero();
            // Once the blocked write returns, the connection is ended rather than left open with no slot.
            stuck.release.countDown();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!stuck.completed && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(stuck.completed).isTrue();
            assertThat(stuck.writes.get()).as("nothing written after it fell behind").isEqualTo(1);
        } finally {
            stuck.release.countDown();
            streams.closeAll();
        }
    }

    @Test
    void pastMaxStreamsTheNextIs503WithRetryAfter() {
        EventStreams streams = new EventStreams(new EventsProperties(2, Duration.ofMinutes(5)), Clock.systemUTC());
        try {
            streams.open(List.of());
            streams.open(List.of());
            assertThatThrownBy(() -> streams.open(List.of())).isInstanceOfSatisfying(ErrorResponse.class, problem -> {
                assertThat(problem.getStatusCode().value()).isEqualTo(503);
                assertThat(problem.getHeaders().getFirst("Retry-After")).isEqualTo("30");
            });
        } finally {
            streams.closeAll();
        }
    }

    @Test
    void aStreamWithoutEventsForTheIdleTimeoutIsEndedAndFreesItsSlot() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-31T13:00:00Z"));
        EventStreams streams = new EventStreams(new EventsProperties(1, Duration.ofMinutes(5)), clock);
        try {
            streams.open(List.of());
            clock.advance(Duration.ofMinutes(4));
            streams.endIdle();
            assertThat(streams.open()).isEqualTo(1);
            clock.advance(Duration.ofMinutes(2));
            streams.endIdle();
            assertThat(streams.open()).isZero();
            streams.open(List.of());
        } finally {
            streams.closeAll();
        }
    }
}
