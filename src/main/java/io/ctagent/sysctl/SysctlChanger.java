package io.ctagent.sysctl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import io.ctagent.hostagent.HostWriter;
import io.ctagent.change.Actor;
import io.ctagent.change.ChangePipeline;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.sysctl.SysctlGuards.Requested;
import io.ctagent.problem.InvalidInput;
import io.ctagent.problem.OperatorProblem;
import tools.jackson.databind.JsonNode;

/**
 * Sysctl mutations: parses a set, batch or rollback request into a {@link Plan}, which the one
 * {@link ChangePipeline} runs as a {@link SysctlRun} (lock, mode, guards, intent, apply, read back,
 * outcome). Input that does not parse is a 400 {@link InvalidInput}, which the web layer audits as
 * INVALID; a refusal before the intent (unknown key, read-only key, stale ETag, guard, refused
 * rollback) changes nothing, writes no intent and is audited as one FAILED record. Once the intent is
 * written, every path ends in exactly one outcome record, whose id is the response's {@code auditId}.
 */
@Service
class SysctlChanger {

    private static final int MAX_BATCH = 64;
    private static final Pattern AUDIT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}");

    private final SysctlCatalog catalog;
    private final SysctlReader reader;
    private final SysctlGuards guards;
    private final SysctlPersistence persistence;
    private final HostWriter writer;
    private final ChangeHistory history;
    private final ChangePipeline pipeline;

    SysctlChanger(SysctlCatalog catalog, SysctlReader reader, SysctlGuards guards, SysctlPersistence persistence,
                  HostWriter writer, ChangeHistory history, ChangePipeline pipeline) {
        this.catalog = catalog;
        this.reader = reader;
        this.guards = guards;
        this.persistence = persistence;
        this.writer = writer;
        this.history = history;
        this.pipeline = pipeline;
    }

    /** What the client asked, parsed. */
    record Options(boolean persist, boolean dryRun, boolean force, String reason) {
    }

    /**
     * A parsed change ready to run.
     *
     * @param rollbackOf for a rollback, the auditId of the change it undoes
     */
    record Plan(String action, NetnsTarget netns, List<Requested> changes, Options options,
                Map<SysctlKey, Long> persistSet, Set<SysctlKey> persistUnset, String ifMatch, String rollbackOf) {

        List<SysctlKey> keys() {
            return changes.stream().map(Requested::key).toList();
        }
    }

    SysctlChange put(String rawKey, String rawNetns, SysctlRequests.SysctlPutRequest body, String ifMatch) {
        NetnsTarget netns = NetnsTarget.parse(rawNetns);
        SysctlKey named = SysctlKey.parse("key", rawKey);
        return pipeline.refusalsRecorded(Actor.caller(), "sysctl.set", SysctlState.target(netns, List.of(named)), null,
                () -> {
            SysctlKey key = catalog.require("key", rawKey);
            SysctlRequests.SysctlPutRequest request = body == null
                    ? new SysctlRequests.SysctlPutRequest(null, null, null, null, null) : body;
            long value = SysctlValue.parse("value", request.value(), key, SysctlCatalog.spec(key));
            Options options = options(netns, request.persist(), request.dryRun(), request.force(), request.reason());
            Plan plan = new Plan("sysctl.set", netns, List.of(new Requested(key, value)), options, Map.of(key, value),
                    Set.of(), ifMatch, null);
            return locked(plan);
        });
    }

    SysctlChange patch(String rawNetns, SysctlRequests.SysctlPatchRequest body) {
        NetnsTarget netns = NetnsTarget.parse(rawNetns);
        if (body == null || body.changes() == null || body.changes().isEmpty()) {
            throw new InvalidInput("changes", "changes is required: an object of sysctl name to integer, e.g. "
                    + "{\"net.netfilter.nf_conntrack_max\": 524288}");
        }
        if (body.changes().size() > MAX_BATCH) {
            throw new InvalidInput("changes", "at most " + MAX_BATCH + " keys in one change");
        }
        List<SysctlKey> named = body.changes().keySet().stream().map(raw -> SysctlKey.parse("changes", raw)).toList();
        return pipeline.refusalsRecorded(Actor.caller(), "sysctl.batch", SysctlState.target(netns, named), null, () -> {
            List<Requested> changes = new ArrayList<>();
            Map<SysctlKey, Long> set = new LinkedHashMap<>();
            Set<SysctlKey> variables = new HashSet<>();
            for (Map.Entry<String, JsonNode> entry : body.changes().entrySet()) {
                SysctlKey key = catalog.require("changes", entry.getKey());
                if (!variables.add(key.variable())) {
                    throw new InvalidInput("changes", SysctlKey.MAX + " and " + SysctlKey.LEGACY_MAX
                            + " are the same kernel variable; set one of them");
                }
                long value = SysctlValue.parse("changes[" + key + "]", entry.getValue(), key, SysctlCatalog.spec(key));
                changes.add(new Requested(key, value));
                set.put(key, value);
            }
            Options options = options(netns, body.persist(), body.dryRun(), body.force(), body.reason());
            return locked(new Plan("sysctl.batch", netns, changes, options, set, Set.of(), null, null));
        });
    }

    /**
     * Restores the before values of an audited change, as a new change (action sysctl.rollback):
     * the running values, and the managed drop-in if that change persisted.
     */
    SysctlChange rollback(SysctlRequests.SysctlRollbackRequest body) {
        String auditId = body == null ? null : body.auditId();
        if (auditId == null || !AUDIT_ID.matcher(auditId).matches()) {
            throw new InvalidInput("auditId", "auditId is required: the id of an audited sysctl change, as "
                    + "its response's auditId (GET /api/v1/audit lists them)");
        }
        // Until the recorded change is read and trusted, the rollback is aimed at that record.
        return pipeline.refusalsRecorded(Actor.caller(), "sysctl.rollback", "audit:" + auditId,
                Map.of("rollbackOf", auditId), () -> {
            RecordedChange recorded = history.find(auditId).orElseThrow(() -> new OperatorProblem(
                    HttpStatus.NOT_FOUND, "change-not-found", "No such change",
                    "No audit record has id '" + auditId + "'. Use the auditId of a sysctl change's response; "
                            + "GET /api/v1/audit lists them.")
                    .with("field", "auditId"));
            NetnsTarget netns = NetnsTarget.parse(recorded.netns());
            List<Requested> changes = new ArrayList<>();
            Map<SysctlKey, Long> set = new LinkedHashMap<>();
            Set<SysctlKey> unset = new LinkedHashSet<>();
            for (Map.Entry<String, Long> entry : recorded.before().entrySet()) {
                SysctlKey key = catalog.require("auditId", entry.getKey());
                changes.add(new Requested(key, entry.getValue()));
                Long persisted = recorded.persistedBefore().get(entry.getKey());
                if (persisted != null) {
                    set.put(key, persisted);
                } else {
                    unset.add(key);
                }
            }
            Options options = new Options(recorded.persisted(), Boolean.TRUE.equals(body.dryRun()),
                    Boolean.TRUE.equals(body.force()), SysctlValue.reason(body.reason()));
            return locked(new Plan("sysctl.rollback", netns, changes, options, set, unset, null, recorded.auditId()));
        });
    }

    /** The change through the one change pipeline: lock, mode, guards, intent, apply, read back, outcome. */
    private SysctlChange locked(Plan plan) {
        return pipeline.run(new SysctlRun(plan, reader, guards, persistence, writer));
    }

    private Options options(NetnsTarget netns, Boolean persist, Boolean dryRun, Boolean force, String reason) {
        boolean persisting = Boolean.TRUE.equals(persist);
        if (persisting && !netns.isOwn()) {
            throw new InvalidInput("persist", "persist applies to the initial namespace, which sysctl --system "
                    + "configures at boot; a named namespace starts with kernel defaults when it is created");
        }
        return new Options(persisting, Boolean.TRUE.equals(dryRun), Boolean.TRUE.equals(force),
                SysctlValue.reason(reason));
    }
}
