package io.ctagent.notrack;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The lifeline: one NOTRACK rule, owned and tagged "ctagent:lifeline", that exempts the agent's
 * own API traffic (TCP to server.port and management.server.port, and the replies) from
 * connection tracking in the namespace where it listens, so it still answers when the table is
 * full. Refused, and the reason shown, when the namespace's filter rules would drop untracked
 * packets to the port or a DNAT/REDIRECT rule touches it.
 *
 * @param enabled install it at start-up and keep it on every reconcile; false removes nothing by hand
 */
@ConfigurationProperties("ctagent.lifeline")
public record LifelineProperties(@DefaultValue("true") boolean enabled) {
}
