package io.ctagent.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.ctagent.entries.EntryService;
import io.ctagent.entries.EntrySummary;
import io.ctagent.entries.GroupBy;
import io.ctagent.hostagent.HostAddresses;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.monitor.Finding.ProposedRequest;
import io.ctagent.usage.ConntrackUsage;

/** A router whose tracked flows are mostly transit traffic. */
final class ForwardingCheck implements DiagnosisCheck {

    private final EntryService entries;
    private final HostAgent host;
    private final HostAddresses addresses;

    ForwardingCheck(EntryService entries, HostAgent host) {
        this.entries = entries;
        this.host = host;
        this.addresses = new HostAddresses(host);
    }

    @Override
    public List<Finding> check(DiagnosisFacts facts) {
        return forwardingOnly(facts.own()).stream().toList();
    }

    /**
     * A router: forwarding on and few entries to or from the host's own addresses. Its tracked flows
     * are transit traffic that scoped NOTRACK rules can exempt (never a blanket rule: NAT needs tracking).
     */
    Optional<Finding> forwardingOnly(ConntrackUsage own) {
        boolean forwarding = host.readProc(NetnsTarget.OWN, "sys/net/ipv4/ip_forward")
                .map(text -> text.strip().equals("1")).orElse(false);
        if (!forwarding) {
            return Optional.empty();
        }
        Set<String> local = addresses.local();
        EntrySummary byDst = entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.DST), DiagnosisService.LOCAL_SHARE_GROUPS);
        EntrySummary bySrc = entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.SRC), DiagnosisService.LOCAL_SHARE_GROUPS);
        long toHost = byDst.groups().stream().filter(g -> local.contains(String.valueOf(g.key().get("dst"))))
                .mapToLong(EntrySummary.Group::count).sum();
        long fromHost = bySrc.groups().stream().filter(g -> local.contains(String.valueOf(g.key().get("src"))))
                .mapToLong(EntrySummary.Group::count).sum();
        long total = Math.max(1, byDst.total());
        double localShare = Math.min(1.0, (double) (toHost + fromHost) / total);
        if (localShare > DiagnosisService.FORWARDING_LOCAL_SHARE) {
            return Optional.empty();
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("ipForward", 1);
        evidence.put("total", byDst.total());
        evidence.put("toOrFromThisHost", toHost + fromHost);
        evidence.put("localSharePercent", Math.round(localShare * 1000) / 10.0);
        evidence.put("localAddresses", local.size());
        Object busiestPort = entries.summarizeAll(NetnsTarget.OWN, List.of(GroupBy.DPORT), 1).groups().stream()
                .findFirst().map(g -> g.key().get("dport")).orElse(null);
        evidence.put("busiestDport", busiestPort);
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("direction", "PREROUTING");
        rule.put("protocol", "udp");
        rule.put("dports", busiestPort == null ? "53" : String.valueOf(busiestPort));
        rule.put("comment", "transit traffic exempted after diagnosis");
        rule.put("dryRun", true);
        return Optional.of(new Finding("forwarding-host", Severity.INFO, "Forwarding host: most tracked flows are transit",
                "IP forwarding is on and only " + evidence.get("localSharePercent") + " % of " + byDst.total()
                        + " entries go to or come from this host. If this transit traffic needs no NAT or stateful "
                        + "filtering, exempt the busiest flows with scoped NOTRACK rules (a dry run is proposed; set "
                        + "protocol, ports and addresses to the flows you mean). Never a blanket NOTRACK.",
                evidence, new ProposedRequest("POST", "/api/v1/notrack/rules", rule, "operator",
                "plan a scoped NOTRACK rule for the busiest transit port")));
    }
}
