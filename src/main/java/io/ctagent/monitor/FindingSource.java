package io.ctagent.monitor;

import java.util.List;

/** Findings that come from the agent's own state (its lifeline, its remediation), not from a measurement. */
public interface FindingSource {

    List<Finding> findings();
}
