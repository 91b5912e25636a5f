package io.ctagent.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.ErrorResponse;

import io.ctagent.problem.OperatorProblem;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The only record of changes to the host. Every mutation writes an intent before it touches
 * anything and an outcome after; attempts refused before their intent are written too (INVALID,
 * DENIED, or FAILED for a refused precondition, see {@link #attempt}). Who asked (actor, roles,
 * source IP, request id) comes from the current request, never from the caller of this class, unless
 * the change says it is the agent's own ({@code system}, {@code policy:<name>}, see {@link #attempt}).
 * Only the change pipeline (io.ctagent.change.ChangePipeline) writes change records: it runs every
 * change inside {@link #attempt}, and calls {@link #intent} under the agent's MutationLock before it
 * touches the host and {@link #outcome} after.
 *
 * <p>Never pass secrets (keys, tokens, passwords) in {@code params}, {@code before} or
 * {@code after}: the log keeps them forever.
 */
public class AuditLog {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    private static final String PROBLEM_TYPE_PREFIX = "urn:ctagent:problem:";

    /** The action of a record that says what rotation deleted from the log of denied requests. */
    static final String RETENTION_ACTION = "audit.retention";

    private final AuditFile file;
    private final Supplier<String> mode;
    private final Clock clock;
    /** The changes being attempted on this thread, innermost first (see {@link #attempt}). */
    private final ThreadLocal<Attempt> attempts = new ThreadLocal<>();

    AuditLog(AuditFile file, Supplier<String> mode, Clock clock) {
        this.file = file;
        this.mode = mode;
        this.clock = clock;
    }

    /** An audit log on one file without rotation: for features' tests outside this package. */
    public static AuditLog toFile(java.nio.file.Path path, Supplier<String> mode, Clock clock) {
        return new AuditLog(new AuditFile(path, Long.MAX_VALUE, 1), mode, clock);
    }

    /**
     * Records what is about to be done. Call it before touching the host; if it throws, do not.
     *
     * @param action what is attempted, e.g. {@code sysctl.set}, {@code hashsize.set}, {@code conntrack.flush}
     * @param target what it is aimed at, e.g. the sysctl key
     * @param params what the caller asked for (JSON-serialisable; no secrets)
     * @param before the current state, as read just now
     * @return the receipt to pass to {@link #outcome}
     * @throws OperatorProblem 503 when the record cannot be written (fail closed)
     */
    public AuditIntent intent(String action, String target, Map<String, ?> params, Object before) {
        // From here on the change records itself (or is refused 503 because the audit is down).
        Attempt attempt = attempts.get();
        if (attempt != null) {
            attempt.markRecorded();
        }
        AuditRecord record = record(AuditRecord.INTENT, null, action, target, params, before, null, null, null,
                List.of());
        write(record);
        return new AuditIntent(record.id(), action, target);
    }

    /**
     * Records how an intent ended.
     *
     * @param result APPLIED, UNCHANGED, DRY_RUN or FAILED
     * @param reason why it failed, or null
     * @return the outcome record's id
     * @throws OperatorProblem 503 when the record cannot be written (the change has happened by then:
     *         callers report it rather than fail the request)
     */
    public String outcome(AuditIntent intent, AuditResult result, Object before, Object after,
                          List<AuditCommand> commands, String reason) {
        if (result == AuditResult.INVALID || result == AuditResult.DENIED) {
            throw new IllegalArgumentException("an outcome is APPLIED, UNCHANGED, DRY_RUN or FAILED, not " + result);
        }
        AuditRecord record = record(AuditRecord.OUTCOME, intent.id(), intent.action(), intent.target(), null, before,
                after, result, reason, commands);
        write(record);
        return record.id();
    }

    /**
     * Records an attempt refused before anything was done: INVALID input or a DENIED caller.
     * Best effort: a failure is logged, never thrown, so a full disk cannot turn a 400 or 403
     * into a 503.
     *
     * @return the record's id, or null when it could not be written
     */
    public String rejected(String action, String target, Map<String, ?> params, AuditResult result, String reason) {
        if (result != AuditResult.INVALID && result != AuditResult.DENIED) {
            throw new IllegalArgumentException("a rejection is INVALID or DENIED, not " + result);
        }
        return appendRejected(action, target, params, result, reason);
    }

    /**
     * Runs a change that writes its own intent, so that a refusal before that intent is recorded
     * too: every attempt leaves exactly one record of how it ended.
     * <ul>
     * <li>An intent was written: the change records its own outcome (or the intent could not be
     * written, and the answer is 503).</li>
     * <li>A 400: the web layer answers it and {@code change.Refusals} records it as INVALID.</li>
     * <li>An {@link AccessDeniedException}: Spring Security answers 403 and {@code change.Refusals} records it
     * in the log of denied requests.</li>
     * <li>Any other refusal (a guard, a stale ETag, a read-only or unknown key, a broken chain, a
     * read-only agent, another change holding the lock...) is recorded here: phase {@code rejected},
     * result FAILED (DENIED for a 403), reason {@code "<problem type>: <detail>"}; the problem answered
     * carries the record's id as {@code auditId}.</li>
     * </ul>
     * Like {@link #rejected}, best effort: the host is untouched, so when this record cannot be
     * written the caller still gets the refusal (not a 503) and the agent's log says what was lost.
     * Attempts may nest; the innermost names the record, since it knows the parsed target and params.
     *
     * @param action what the change's intent would record, e.g. {@code sysctl.set}
     * @param target what it would be aimed at, as far as the request names it so far
     * @param params what the caller asked for, parsed (no secrets), or null
     */
    public <T> T attempt(String action, String target, Map<String, ?> params, Supplier<T> change) {
        return attempt(null, action, target, params, change);
    }

    /**
     * {@link #attempt(String, String, Map, Supplier)} on behalf of {@code actor}: every record it writes
     * names that actor instead of the request's caller.
     *
     * @param actor {@code system} or {@code policy:<name>} for a change the agent makes itself; null for
     *              the caller of the request being served (an API key's name, a JWT subject)
     */
    public <T> T attempt(String actor, String action, String target, Map<String, ?> params, Supplier<T> change) {
        Attempt outer = attempts.get();
        Attempt attempt = new Attempt(outer, actor);
        attempts.set(attempt);
        try {
            return change.get();
        } catch (RuntimeException refusal) {
            if (!attempt.recorded) {
                attempt.markRecorded();
                refused(action, target, params, refusal);
            }
            throw refusal;
        } finally {
            if (outer == null) {
                attempts.remove();
            } else {
                attempts.set(outer);
            }
        }
    }

    /**
     * Walks the hash chain from its start through this record and the link that vouches for it (the
     * next record's prevHash, or the last hash written), as GET /api/v1/audit/verify walks the whole
     * log: whether the record, as it was read, can be trusted.
     *
     * @return ok when the chain holds up to and including it; else {@code firstBroken} names the first
     *         record that does not, as verify would
     * @throws OperatorProblem 503 when the audit cannot be read
     */
    public VerifyReport verifyThrough(AuditRecord record) {
        try (AuditSnapshot snapshot = file.snapshot()) {
            return ChainVerifier.verifyThrough(snapshot, record.id(), record.hash());
        } catch (UncheckedIOException e) {
            throw unreadable(e);
        }
    }

    /**
     * The record with this id, searched through the current and the rotated files.
     *
     * @return empty when no record has it
     * @throws OperatorProblem 503 when the audit cannot be read
     */
    public Optional<AuditRecord> find(String id) {
        return first("\"id\":\"" + id + "\"", record -> id.equals(record.id()));
    }

    /**
     * The outcome record of an intent.
     *
     * @return empty when the intent has none (yet, or because it could not be written)
     * @throws OperatorProblem 503 when the audit cannot be read
     */
    public Optional<AuditRecord> outcomeOf(String intentId) {
        return first("\"intentId\":\"" + intentId + "\"",
                record -> AuditRecord.OUTCOME.equals(record.phase()) && intentId.equals(record.intentId()));
    }

    AuditFile file() {
        return file;
    }

    /**
     * Records, in the change history, that rotation is about to delete a file of another log (the
     * denied requests): GET /api/v1/audit/verify adds these up. Throws when it cannot be written, so
     * the file stays.
     */
    void removing(String log, AuditFile.Removed removed) throws java.io.IOException {
        Map<String, Object> params = new java.util.LinkedHashMap<>();
        params.put("log", log);
        params.put("file", removed.file());
        params.put("records", removed.records());
        params.put("firstId", removed.firstId());
        params.put("lastId", removed.lastId());
        AuditRecord record = new AuditRecord(UUID.randomUUID().toString(), clock.instant().toString(),
                AuditRecord.RETENTION, null, RequestOrigin.SYSTEM, List.of(), null, null, RETENTION_ACTION, log,
                tree(params), null, null, AuditResult.APPLIED, null, List.of(), mode.get(), null, null);
        try {
            file.append(record);
        } catch (UncheckedIOException e) {
            throw new java.io.IOException("the change log cannot record the removal (" + e.getMessage() + ")", e);
        }
    }

    /** The first record, oldest first, whose line contains {@code needle} and that matches. */
    private Optional<AuditRecord> first(String needle, Predicate<AuditRecord> matches) {
        try (AuditSnapshot snapshot = file.snapshot()) {
            for (AuditSnapshot.Segment segment : snapshot.segments()) {
                try (BufferedReader lines = segment.reader()) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (!line.contains(needle)) {
                            continue;
                        }
                        AuditRecord record = parse(line);
                        if (record != null && matches.test(record)) {
                            return Optional.of(record);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(segment.name() + ": " + e.getMessage(), e);
                }
            }
            return Optional.empty();
        } catch (UncheckedIOException e) {
            throw unreadable(e);
        }
    }

    private static OperatorProblem unreadable(UncheckedIOException e) {
        return new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "audit-unavailable", "Audit log unreadable",
                "The audit log could not be read (" + e.getMessage() + "). Check the audit directory "
                        + "(ctagent.audit.path).", e);
    }

    /** A refusal before the intent; 400s and Spring Security's denials are recorded where they are answered. */
    private void refused(String action, String target, Map<String, ?> params, RuntimeException refusal) {
        if (refusal instanceof AccessDeniedException) {
            return;
        }
        if (!(refusal instanceof ErrorResponse problem)) {
            String what = refusal.getMessage() != null ? refusal.getMessage() : refusal.getClass().getSimpleName();
            appendRejected(action, target, params, AuditResult.FAILED, "internal-error: " + what);
            return;
        }
        int status = problem.getStatusCode().value();
        if (status == HttpStatus.BAD_REQUEST.value()) {
            return;
        }
        AuditResult result = status == HttpStatus.FORBIDDEN.value() ? AuditResult.DENIED : AuditResult.FAILED;
        String id = appendRejected(action, target, params, result, reason(problem.getBody(), status));
        if (id != null) {
            problem.getBody().setProperty("auditId", id);
        }
    }

    /** "guard-refused: detail": the problem's type as the client saw it, then what it said. */
    private static String reason(ProblemDetail problem, int status) {
        String type = problem.getType() == null || "about:blank".equals(problem.getType().toString())
                ? String.valueOf(status) : problem.getType().toString();
        if (type.startsWith(PROBLEM_TYPE_PREFIX)) {
            type = type.substring(PROBLEM_TYPE_PREFIX.length());
        }
        return type + ": " + (problem.getDetail() != null ? problem.getDetail() : problem.getTitle());
    }

    /** Writes a record of an attempt that never reached the host; best effort, see {@link #rejected}. */
    private String appendRejected(String action, String target, Map<String, ?> params, AuditResult result,
                                  String reason) {
        AuditRecord record = record(AuditRecord.REJECTED, null, action, target, params, null, null, result, reason,
                List.of());
        try {
            file.append(record);
            return record.id();
        } catch (UncheckedIOException e) {
            log.error("could not audit a rejected {} on {} ({}): {}", action, target, result, e.getMessage());
            return null;
        }
    }

    private static AuditRecord parse(String line) {
        try {
            return AuditChain.JSON.readValue(line, AuditRecord.class);
        } catch (JacksonException damaged) {
            return null; // GET /api/v1/audit/verify names a damaged line
        }
    }

    private void write(AuditRecord record) {
        try {
            file.append(record);
        } catch (UncheckedIOException e) {
            log.error("audit log unwritable, the {} record of {} on {} is not written: {}", record.phase(),
                    record.action(), record.target(), e.getMessage());
            if (e.getCause() instanceof AuditFile.Full full) {
                throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "audit-unavailable", "Audit log full",
                        "The audit record could not be written, so nothing was changed: " + full.getMessage()
                                + ", then retry.", e);
            }
            throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "audit-unavailable", "Audit log unavailable",
                    "The audit record could not be written (" + e.getMessage() + "), so nothing was changed. "
                            + "Free space or fix permissions on the audit directory (ctagent.audit.path), then retry.",
                    e);
        }
    }

    private AuditRecord record(String phase, String intentId, String action, String target, Map<String, ?> params,
                               Object before, Object after, AuditResult result, String reason,
                               List<AuditCommand> commands) {
        RequestOrigin origin = RequestOrigin.current(actingAs());
        return new AuditRecord(UUID.randomUUID().toString(), clock.instant().toString(), phase, intentId,
                origin.actor(), origin.roles(), origin.sourceIp(), origin.requestId(), action, target, tree(params),
                tree(before), tree(after), result, reason, commands == null ? List.of() : List.copyOf(commands),
                mode.get(), null, null);
    }

    /** The actor the innermost attempt names, or null for the request's caller. */
    private String actingAs() {
        for (Attempt attempt = attempts.get(); attempt != null; attempt = attempt.outer) {
            if (attempt.actor != null) {
                return attempt.actor;
            }
        }
        return null;
    }

    private static JsonNode tree(Object value) {
        return value == null ? null : AuditChain.JSON.valueToTree(value);
    }

    /** One change in progress on a thread; {@code recorded} once an intent or a refusal speaks for it. */
    private static final class Attempt {

        private final Attempt outer;
        private final String actor;
        private boolean recorded;

        private Attempt(Attempt outer, String actor) {
            this.outer = outer;
            this.actor = actor;
        }

        /** Nested attempts are one change: one record for all of them. */
        void markRecorded() {
            for (Attempt attempt = this; attempt != null; attempt = attempt.outer) {
                attempt.recorded = true;
            }
        }
    }
}
