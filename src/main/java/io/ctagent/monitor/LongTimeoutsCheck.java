package io.ctagent.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.ctagent.entries.EntryService;
import io.ctagent.entries.EntrySummary;
import io.ctagent.entries.GroupBy;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.monitor.Finding.ProposedRequest;
import io.ctagent.tuning.Recommendation;
import io.ctagent.tuning.Recommendation.RecommendedSetting;
import io.ctagent.usage.ConntrackUsage;
import io.ctagent.usage.UsageLevel;

/** TCP timeouts longer than needed, holding most of the table. */
final class LongTimeoutsCheck implements DiagnosisCheck {

    private final EntryService entries;

    LongTimeoutsCheck(EntryService entries) {
        this.entries = entries;
    }

    @Override
    public List<Finding> check(DiagnosisFacts facts) {
        return longTimeouts(facts.own(), facts.recommendation()).stream().toList();
    }

    /** Which TCP state each timeout sysctl holds entries in. */
    private static final Map<String, String> TIMEOUT_STATE = Map.of(
            "net.netfilter.nf_conntrack_tcp_timeout_established", "ESTABLISHED",
            "net.netfilter.nf_conntrack_tcp_timeout_time_wait", "TIME_WAIT",
            "net.netfilter.nf_conntrack_tcp_timeout_close_wait", "CLOSE_WAIT",
            "net.netfilter.nf_conntrack_tcp_timeout_fin_wait", "FIN_WAIT");

    /** Timeouts above the recommendation, holding at least half the table in their TCP states. */
    Optional<Finding> longTimeouts(ConntrackUsage own, Recommendation recommendation) {
        EntrySummary byState = entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.STATE), 20);
        Map<String, Long> perState = new LinkedHashMap<>();
        byState.groups().forEach(g -> perState.put(String.valueOf(g.key().get("state")), g.count()));
        Map<String, Long> changes = new LinkedHashMap<>();
        Map<String, Object> evidence = new LinkedHashMap<>();
        long held = 0;
        for (RecommendedSetting timeout : recommendation.timeouts()) {
            String state = TIMEOUT_STATE.get(timeout.key());
            if (state == null || timeout.current() == null || timeout.current() <= timeout.recommended()) {
                continue;
            }
            long inState = perState.getOrDefault(state, 0L);
            held += inState;
            changes.put(timeout.key(), timeout.recommended());
            evidence.put(timeout.key(), Map.of("current", timeout.current(), "recommended", timeout.recommended(),
                    "entries" + state, inState));
        }
        if (changes.isEmpty() || byState.total() == 0 || held * 2 < byState.total()) {
            return Optional.empty();
        }
        evidence.put("total", byState.total());
        evidence.put("heldByLongTimeouts", held);
        Severity severity = own.level() == UsageLevel.OK ? Severity.INFO : Severity.WARNING;
        return Optional.of(new Finding("long-timeouts", severity, "Long TCP timeouts hold most of the table",
                held + " of " + byState.total() + " entries are in TCP states whose timeouts are longer than "
                        + "this host needs; dead connections stay tracked that long. Shorten them as recommended.",
                evidence, new ProposedRequest("PATCH", "/api/v1/sysctls", Map.of("changes", changes, "persist", true),
                "operator", "shorten the TCP timeouts to the recommended values")));
    }
}
