package io.ctagent.problem;

/**
 * A request that would have changed something was rejected as invalid (400) before it reached
 * the host. Published so the audit can record the attempt without the web layer knowing it.
 *
 * @param action {@code METHOD pattern}, e.g. {@code PUT /api/v1/sysctls/{key}}
 * @param target the concrete path, e.g. {@code /api/v1/sysctls/net.netfilter.nf_conntrack_max}
 * @param field the input field at fault, when known
 * @param detail what was wrong, as told to the caller
 */
public record RejectedRequest(String action, String target, String field, String detail) {
}
