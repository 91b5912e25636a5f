package io.ctagent.monitor;

import java.util.List;

import io.ctagent.tuning.Recommendation;
import io.ctagent.usage.ConntrackUsage;

/**
 * What the checks share, read once per diagnosis.
 *
 * @param own the agent's own namespace's usage
 * @param namespaces every namespace with its count
 * @param tableFull the table-full events of the last window, oldest first
 * @param raiseTo the max every "raise nf_conntrack_max" finding proposes
 */
record DiagnosisFacts(ConntrackUsage own, Recommendation recommendation, List<NetnsSummary> namespaces,
                      List<AgentEvent> tableFull, long raiseTo) {
}
