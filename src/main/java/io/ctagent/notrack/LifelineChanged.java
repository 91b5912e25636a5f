package io.ctagent.notrack;

import java.time.Instant;
import java.util.List;

/**
 * The lifeline was installed, removed, or refused (published when its state or reason changes).
 *
 * @param installed whether it is in the kernel now
 * @param reason why it is not, or null
 * @param ruleToAdd the firewall rule that would let it be installed, when the firewall is the reason
 */
public record LifelineChanged(boolean installed, List<Integer> ports, String backend, String reason,
                              String ruleToAdd, Instant at) {
}
