package io.ctagent.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.ctagent.entries.EntryService;
import io.ctagent.entries.EntrySummary;
import io.ctagent.entries.FlushProperties;
import io.ctagent.entries.FlushShare;
import io.ctagent.entries.GroupBy;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.monitor.Finding.ProposedRequest;
import io.ctagent.usage.ConntrackUsage;
import io.ctagent.usage.UsageLevel;

/** One source address holding an abnormal share of the table. */
final class OneSourceCheck implements DiagnosisCheck {

    private final EntryService entries;
    private final FlushProperties flushLimits;

    OneSourceCheck(EntryService entries, FlushProperties flushLimits) {
        this.entries = entries;
        this.flushLimits = flushLimits;
    }

    @Override
    public List<Finding> check(DiagnosisFacts facts) {
        return oneSourceDominates(facts.own()).stream().toList();
    }

    /** One source address holding an abnormal share of the table: a flood, or one very busy client. */
    Optional<Finding> oneSourceDominates(ConntrackUsage own) {
        EntrySummary bySrc = entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.SRC), 1);
        if (bySrc.groups().isEmpty() || bySrc.total() == 0) {
            return Optional.empty();
        }
        EntrySummary.Group top = bySrc.groups().get(0);
        double share = (double) top.count() / bySrc.total();
        if (share < DiagnosisService.FLOOD_SHARE) {
            return Optional.empty();
        }
        Object src = top.key().get("src");
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("src", src);
        evidence.put("entries", top.count());
        evidence.put("total", bySrc.total());
        evidence.put("sharePercent", Math.round(share * 1000) / 10.0);
        // The flush guard judges the real delete by the share it removes: say so when it would object.
        Optional<String> guard = new FlushShare(top.count(), bySrc.total())
                .needsConfirmation(flushLimits.confirmShare(), flushLimits.confirmCount())
                .map(why -> "The delete without dryRun needs the admin role and the header X-Confirm: flush-all: "
                        + why + ".");
        return Optional.of(new Finding("one-source-dominates",
                own.level() == UsageLevel.OK ? Severity.WARNING : Severity.CRITICAL,
                "One source holds " + evidence.get("sharePercent") + " % of the table",
                src + " holds " + top.count() + " of " + bySrc.total() + " entries: a flood or a misbehaving "
                        + "client. Check it with GET /api/v1/conntrack/entries?src=" + src + ", then delete its "
                        + "entries (the proposed request is a dry run; drop dryRun to delete) and block it upstream."
                        + guard.map(text -> " " + text).orElse(""),
                evidence, new ProposedRequest("POST", "/api/v1/conntrack/flush",
                Map.of("filter", Map.of("src", String.valueOf(src)), "dryRun", true),
                guard.isPresent() ? "admin" : "operator", "count, then delete, the entries from " + src,
                guard.isPresent() ? Map.of("X-Confirm", "flush-all") : null, guard.orElse(null))));
    }
}
