package io.ctagent.sysctl;

import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/** Request bodies of the sysctl mutations. Values stay JSON until parsed against the key's range. */
final class SysctlRequests {

    private SysctlRequests() {
    }

    /**
     * PUT /api/v1/sysctls/{key}.
     *
     * @param value the new value: a JSON integer in the key's range
     * @param persist also write it to the managed sysctl.d drop-in so it survives a reboot
     * @param dryRun only answer with the commands and file content it would write
     * @param force override a guard (max below the current count, memory budget); needs a reason
     * @param reason why, for the audit log (one line)
     */
    record SysctlPutRequest(@Schema(implementation = Long.class, example = "524288", requiredMode = Schema.RequiredMode.REQUIRED)
               JsonNode value, Boolean persist, Boolean dryRun, Boolean force, String reason) {
    }

    /**
     * PATCH /api/v1/sysctls: several keys, all or nothing.
     *
     * @param changes key to new value, applied in this order
     * @param persist also write them to the managed drop-in
     * @param dryRun only plan
     * @param force override guards; needs a reason
     * @param reason why, for the audit log (one line)
     */
    record SysctlPatchRequest(@Schema(example = "{\"net.netfilter.nf_conntrack_max\": 524288, "
            + "\"net.netfilter.nf_conntrack_tcp_timeout_established\": 7875}",
            additionalPropertiesSchema = Long.class, requiredMode = Schema.RequiredMode.REQUIRED)
                 Map<String, JsonNode> changes, Boolean persist, Boolean dryRun, Boolean force, String reason) {
    }

    /**
     * POST /api/v1/sysctls/rollback.
     *
     * @param auditId the audit id of the change to undo
     * @param dryRun only plan
     * @param force override guards (e.g. restoring a max below today's count); needs a reason
     * @param reason why, for the audit log (one line)
     */
    record SysctlRollbackRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String auditId, Boolean dryRun,
                    Boolean force, String reason) {
    }
}
