package io.ctagent.monitor;

import java.util.List;
import java.util.Map;

import io.ctagent.monitor.Finding.ProposedRequest;

/** One check of the runbook: the findings it has evidence for, none without. */
interface DiagnosisCheck {

    List<Finding> check(DiagnosisFacts facts);

    static ProposedRequest raiseMax(long value) {
        return new ProposedRequest("PUT", "/api/v1/sysctls/" + DiagnosisService.MAX_KEY, Map.of("value", value, "persist", true,
                "reason", "diagnosis: conntrack table full"), "operator", "raise nf_conntrack_max to " + value
                + " now and after a reboot");
    }

    static String describe(NetnsSummary ns) {
        if (ns.own()) {
            return "the agent's own namespace";
        }
        return ns.name() != null ? "namespace " + ns.name() : "namespace " + ns.inode()
                + (ns.processes().isEmpty() ? "" : " (" + ns.processes().get(0).command() + ")");
    }

    static String netnsQuery(NetnsSummary ns) {
        return ns.name() == null || ns.own() ? "" : "?netns=" + ns.name();
    }

    static double rate(Double value) {
        return value == null ? 0 : value;
    }

    static String mib(long bytes) {
        return Math.round(bytes / 1048576.0 * 10) / 10.0 + " MiB";
    }
}
