package io.ctagent.audit;

import org.jspecify.annotations.Nullable;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import tools.jackson.databind.JsonNode;

/**
 * One line of the audit log. Every field is always present (null when it does not apply), so
 * the lines can be read by tools that expect a fixed shape.
 *
 * @param id unique id of this line
 * @param time when it was written (ISO-8601, UTC)
 * @param phase {@code intent} (written before the host is touched), {@code outcome} (after), or
 *              {@code rejected} (refused before the host was touched: INVALID input, a DENIED caller,
 *              or FAILED for a refused precondition such as a guard or a stale ETag), or {@code retention}
 *              (what rotation deleted from the log of denied requests: {@code params.records},
 *              {@code firstId}, {@code lastId})
 * @param intentId on an outcome, the id of its intent
 * @param actor {@code key:NAME} for an API key, {@code jwt:SUBJECT} for a token, null when unknown
 * @param roles the caller's roles as configured (not expanded by the hierarchy)
 * @param sourceIp the peer address of the request
 * @param requestId the X-Request-Id of the request
 * @param action what was attempted, e.g. {@code sysctl.set}
 * @param target what it was aimed at, e.g. {@code net.netfilter.nf_conntrack_max}
 * @param params what the caller asked for (never keys or tokens)
 * @param before the state read before the change
 * @param after the state read back after the change
 * @param result null on an intent; see {@link AuditResult}
 * @param reason why it failed or was rejected
 * @param commands host commands run or planned
 * @param mode the agent's effective host mode (DIRECT, SUDO, DRY_RUN, READ_ONLY)
 * @param prevHash the hash of the record before this one (64 zeros for the very first)
 * @param hash SHA-256 over this record's canonical JSON without {@code hash}
 */
@JsonPropertyOrder({"id", "time", "phase", "intentId", "actor", "roles", "sourceIp", "requestId", "action", "target",
        "params", "before", "after", "result", "reason", "commands", "mode", "prevHash", "hash"})
public record AuditRecord(String id, String time, String phase, @Nullable String intentId, @Nullable String actor,
                          List<String> roles, @Nullable String sourceIp, @Nullable String requestId, String action,
                          @Nullable String target,
                          @Schema(description = "what the caller asked for, parsed (never keys or tokens); "
                                  + "an object, null on an outcome") @Nullable JsonNode params,
                          @Schema(description = "the state read before the change: any JSON value, its shape "
                                  + "set by the action (e.g. key -> value for sysctl.set)") @Nullable JsonNode before,
                          @Schema(description = "the state read back after the change, shaped like before")
                          @Nullable JsonNode after, @Nullable AuditResult result, @Nullable String reason,
                          List<AuditCommand> commands, String mode, String prevHash, String hash) {

    static final String INTENT = "intent";
    static final String OUTCOME = "outcome";
    static final String REJECTED = "rejected";
    /** Written by the agent when rotation deletes a file of denied requests: what went. */
    static final String RETENTION = "retention";
}
