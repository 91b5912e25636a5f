package io.ctagent.monitor;

import java.util.List;

/** Findings that come from the agent's own state (its lifeline, its remediation), not from a measurement. */
interface FindingSource {

    List<Finding> findings();
}
