package io.ctagent.monitor;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.ctagent.hostagent.HostNamespaces;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The agent's recent events in memory, pushed to server-sent-event subscribers as they happen
 * ({@link EventStreams}: capped, idle streams ended, publishing never waits for a subscriber).
 * A namespace inode from the kernel is matched to its name under /run/netns.
 */
@Component
public class EventLog {

    private final Deque<AgentEvent> events = new ArrayDeque<>();
    private final EventStreams streams;
    private final AtomicLong sequence = new AtomicLong();
    private final int capacity;
    private final HostNamespaces namespaces;
    private final Clock clock;
    private final Counter tableFull;
    private final ApplicationEventPublisher reactions;

    EventLog(MonitorProperties properties, HostNamespaces namespaces, Clock clock, MeterRegistry registry,
             ApplicationEventPublisher reactions) {
        this(properties, namespaces, clock, registry, reactions, new EventStreams(EventsProperties.defaults(), clock));
    }

    @Autowired
    EventLog(MonitorProperties properties, HostNamespaces namespaces, Clock clock, MeterRegistry registry,
             ApplicationEventPublisher reactions, EventStreams streams) {
        this.reactions = reactions;
        this.streams = streams;
        this.capacity = properties.events();
        this.namespaces = namespaces;
        this.clock = clock;
        this.tableFull = Counter.builder("ctagent.table.full.events")
                .description("Kernel 'nf_conntrack: table full, dropping packet' messages seen").register(registry);
    }

    public AgentEvent publish(EventType type, Severity severity, String message, Long netnsInode, String source,
                              Instant time) {
        AgentEvent event;
        synchronized (events) {
            event = new AgentEvent(sequence.incrementAndGet(), time == null ? Instant.now(clock) : time, type,
                    severity, message, netnsInode, nameOf(netnsInode), source);
            events.addLast(event);
            while (events.size() > capacity) {
                events.removeFirst();
            }
        }
        if (type == EventType.TABLE_FULL) {
            tableFull.increment();
        }
        streams.publish(event);
        // Other features react to events as they happen (unattended remediation of a table-full event).
        reactions.publishEvent(event);
        return event;
    }

    /** Events after {@code afterId}, optionally of one type, newest last, at most {@code limit}. */
    public List<AgentEvent> list(long afterId, EventType type, int limit) {
        synchronized (events) {
            List<AgentEvent> matching = events.stream()
                    .filter(e -> e.id() > afterId && (type == null || e.type() == type)).toList();
            return matching.subList(Math.max(0, matching.size() - limit), matching.size());
        }
    }

    public Optional<AgentEvent> latest(EventType type) {
        synchronized (events) {
            return events.stream().filter(e -> e.type() == type).reduce((a, b) -> b);
        }
    }

    public Optional<AgentEvent> latest() {
        synchronized (events) {
            return Optional.ofNullable(events.peekLast());
        }
    }

    /** A new SSE subscriber; it first gets the events after {@code lastEventId}. 503 past the cap. */
    SseEmitter subscribe(long lastEventId) {
        return streams.open(lastEventId > 0 ? list(lastEventId, null, capacity) : List.of());
    }

    /** Open streams would hold a graceful shutdown for its whole timeout: end them first. */
    @EventListener(ContextClosedEvent.class)
    void closeStreams() {
        streams.closeAll();
    }

    private String nameOf(Long inode) {
        if (inode == null) {
            return null;
        }
        for (Map.Entry<String, Long> named : namespaces.named().entrySet()) {
            if (named.getValue().equals(inode)) {
                return named.getKey();
            }
        }
        return null;
    }
}
