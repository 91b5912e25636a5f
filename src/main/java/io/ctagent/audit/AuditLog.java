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

import io.ctagent.web.OperatorProblem;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The only record of changes to the host. Every mutation writes an intent before it touches
 * anything and an outcome after; rejected attempts (INVALID, DENIED) are written too. Who asked
 * (actor, roles, source IP, request id) comes from the current request, never from the caller of
 * this class. Every change calls {@link #intent} under the agent's MutationLock before it touches
 * the host and {@link #outcome} after (see sysctl.ChangeAudit, notrack.NotrackAudit, FlushService).
 *
 * <p>Never pass secrets (keys, tokens, passwords) in {@code params}, {@code before} or
 * {@code after}: the log keeps them forever.
 */
public class AuditLog {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    private final AuditFile file;
    private final Supplier<String> mode;
    private final Clock clock;

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
            throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "audit-unavailable", "Audit log unreadable",
                    "The audit log could not be read (" + e.getMessage() + "). Check the audit directory "
                            + "(ctagent.audit.path).", e);
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
            log.error("audit log unwritable, refusing {} on {}: {}", record.action(), record.target(), e.getMessage());
            throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "audit-unavailable", "Audit log unavailable",
                    "The audit record could not be written (" + e.getMessage() + "), so nothing was changed. "
                            + "Free space or fix permissions on the audit directory (ctagent.audit.path), then retry.",
                    e);
        }
    }

    private AuditRecord record(String phase, String intentId, String action, String target, Map<String, ?> params,
                               Object before, Object after, AuditResult result, String reason,
                               List<AuditCommand> commands) {
        RequestOrigin origin = RequestOrigin.current();
        return new AuditRecord(UUID.randomUUID().toString(), clock.instant().toString(), phase, intentId,
                origin.actor(), origin.roles(), origin.sourceIp(), origin.requestId(), action, target, tree(params),
                tree(before), tree(after), result, reason, commands == null ? List.of() : List.copyOf(commands),
                mode.get(), null, null);
    }

    private static JsonNode tree(Object value) {
        return value == null ? null : AuditChain.JSON.valueToTree(value);
    }
}
