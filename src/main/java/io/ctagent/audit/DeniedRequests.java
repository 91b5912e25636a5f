package io.ctagent.audit;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The record of requests refused before they reached a feature (401, and 403 from the access rules),
 * kept apart from the change history, in its own hash-chained file with its own allowance, so that
 * whatever strangers send cannot rotate a change record away.
 *
 * <p>Bounded by construction: denials are counted per source address, caller and reason, and each
 * such group gets at most one record per {@code ctagent.audit.denied-interval}: the first denial is
 * written at once; those that follow within the interval are written as one record when it ends,
 * with their count, their methods and the first URI (cut to {@value #MAX_URI} characters). At most
 * {@value #MAX_GROUPS} groups are tracked at once; past that, further sources share one group.
 */
public class DeniedRequests {

    static final int MAX_URI = 256;
    static final int MAX_REASON = 512;
    static final int MAX_GROUPS = 1024;
    static final String ACTION = "access";
    /** The source address of the group that takes denials once {@value #MAX_GROUPS} groups are tracked. */
    static final String MANY_SOURCES = "(many)";

    private static final Logger log = LoggerFactory.getLogger(DeniedRequests.class);

    private final AuditFile file;
    private final Supplier<String> mode;
    private final Clock clock;
    private final long intervalMillis;
    private final Map<Group, Batch> batches = new HashMap<>();

    DeniedRequests(AuditFile file, Supplier<String> mode, Clock clock, Duration interval) {
        this.file = file;
        this.mode = mode;
        this.clock = clock;
        this.intervalMillis = interval.toMillis();
    }

    /**
     * Counts a refused request of the current caller; writes it now if its group has no record in
     * the current interval. Never throws: a denial is answered whether or not it could be written.
     *
     * @param reason a short code: unauthenticated, wrong-key, bad-token, forbidden, no-rule
     * @param requiredRole the role the endpoint needs, or null
     * @param detail what the caller was told
     */
    public void record(String reason, String method, String uri, String requiredRole, String detail) {
        RequestOrigin origin = RequestOrigin.current();
        long now = clock.millis();
        AuditRecord due;
        synchronized (batches) {
            Group group = new Group(origin.sourceIp(), origin.actor(), reason);
            Batch batch = batches.get(group);
            if (batch == null) {
                if (batches.size() >= MAX_GROUPS) {
                    group = new Group(MANY_SOURCES, null, reason);
                    batch = batches.get(group);
                }
                if (batch == null) {
                    batch = new Batch(group);
                    batches.put(group, batch);
                }
            }
            batch.add(origin, method, uri, requiredRole, detail, now);
            due = batch.lastWritten + intervalMillis <= now ? batch.drain(now) : null;
        }
        append(due);
    }

    /** Writes the groups whose interval has ended, and forgets the groups that went quiet. */
    @Scheduled(fixedDelay = 1000)
    void flush() {
        long now = clock.millis();
        List<AuditRecord> due = new ArrayList<>();
        synchronized (batches) {
            for (Iterator<Batch> it = batches.values().iterator(); it.hasNext(); ) {
                Batch batch = it.next();
                if (batch.lastWritten + intervalMillis > now) {
                    continue;
                }
                if (batch.count > 0) {
                    due.add(batch.drain(now));
                } else {
                    it.remove();
                }
            }
        }
        due.forEach(this::append);
    }

    AuditFile file() {
        return file;
    }

    /** Writes what is still counted, then closes the file: a shutdown loses no count. */
    void close() {
        batches.values().forEach(batch -> batch.lastWritten = Long.MIN_VALUE / 2);
        flush();
        file.close();
    }

    private void append(AuditRecord record) {
        if (record == null) {
            return;
        }
        try {
            file.append(record);
        } catch (UncheckedIOException e) {
            log.error("could not audit {} denied request(s) from {}: {}", record.params().get("count"),
                    record.sourceIp(), e.getMessage());
        }
    }

    private static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }

    private record Group(String sourceIp, String actor, String reason) {
    }

    /** The denials of one group since its last record. */
    private final class Batch {

        private final Group group;
        private long lastWritten = Long.MIN_VALUE / 2;
        private long count;
        private long firstAt;
        private long lastAt;
        private RequestOrigin first;
        private String target;
        private String requiredRole;
        private String detail;
        private final TreeSet<String> methods = new TreeSet<>();

        Batch(Group group) {
            this.group = group;
        }

        void add(RequestOrigin origin, String method, String uri, String requiredRole, String detail, long now) {
            if (count == 0) {
                first = origin;
                firstAt = now;
                target = cut(method + " " + cut(uri, MAX_URI), MAX_URI + 16);
                this.requiredRole = requiredRole;
                this.detail = cut(detail, MAX_REASON);
            }
            count++;
            lastAt = now;
            // Methods are what the caller sent: bounded, since a method is a short token, but cut anyway.
            if (methods.size() < 16) {
                methods.add(cut(method, 16));
            }
        }

        AuditRecord drain(long now) {
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("reason", group.reason());
            params.put("count", count);
            params.put("methods", List.copyOf(methods));
            params.put("requiredRole", requiredRole);
            params.put("firstAt", Instant.ofEpochMilli(firstAt).toString());
            params.put("lastAt", Instant.ofEpochMilli(lastAt).toString());
            AuditRecord record = new AuditRecord(UUID.randomUUID().toString(), Instant.ofEpochMilli(now).toString(),
                    AuditRecord.REJECTED, null, group.actor(), first.roles(), group.sourceIp(), first.requestId(),
                    ACTION, target, AuditChain.JSON.valueToTree(params), null, null, AuditResult.DENIED, detail,
                    List.of(), mode.get(), null, null);
            lastWritten = now;
            count = 0;
            methods.clear();
            first = null;
            return record;
        }
    }
}
