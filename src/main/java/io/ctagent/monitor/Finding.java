package io.ctagent.monitor;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One thing the diagnosis found, with the numbers it used and the request that fixes it.
 *
 * @param id a stable name for the kind of finding, e.g. namespace-table-full
 * @param evidence the measured values the finding rests on; never empty
 * @param fix the API request that fixes it, or null when no API call can (e.g. CPU load)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Finding(String id, Severity severity, String title, String detail, Map<String, Object> evidence,
                      ProposedRequest fix) {

    public Finding {
        if (evidence == null || evidence.isEmpty()) {
            throw new IllegalArgumentException("a finding needs evidence: " + id);
        }
    }

    /** An exact request to this agent: method, path (with query), JSON body and the role it needs. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProposedRequest(String method, String path, Object body, String role, String description) {
    }
}
