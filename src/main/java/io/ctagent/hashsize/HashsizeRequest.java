package io.ctagent.hashsize;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/**
 * PUT /api/v1/hashsize.
 *
 * @param value the new number of buckets (the kernel rounds it up to a page of buckets)
 * @param persist also write net.netfilter.nf_conntrack_buckets to the managed sysctl drop-in and, for a
 *                loadable module, {@code options nf_conntrack hashsize=N} to the managed modprobe.d file
 * @param dryRun only answer with the commands and file contents it would write
 * @param force override the memory guard; needs a reason
 * @param reason why, for the audit log (one line)
 */
record HashsizeRequest(@Schema(implementation = Long.class, example = "262144",
        requiredMode = Schema.RequiredMode.REQUIRED) JsonNode value, Boolean persist, Boolean dryRun,
                       Boolean force, String reason) {
}
