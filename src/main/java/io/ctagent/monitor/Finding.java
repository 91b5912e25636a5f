package io.ctagent.monitor;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * One thing the diagnosis found, with the numbers it used and the request that fixes it.
 *
 * @param id a stable name for the kind of finding, e.g. namespace-table-full
 * @param evidence the measured values the finding rests on; never empty
 * @param fix the API request that fixes it, or null when no API call can (e.g. CPU load)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Finding(String id, Severity severity, String title, String detail,
                      @Schema(description = "name -> measured value: a number, text, time or list",
                              additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
                      Map<String, Object> evidence,
                      ProposedRequest fix) {

    public Finding {
        if (evidence == null || evidence.isEmpty()) {
            throw new IllegalArgumentException("a finding needs evidence: " + id);
        }
    }

    /**
     * An exact request to this agent: method, path (with query), JSON body, the role it needs, and
     * when a guard applies, the headers it needs and what the guard measured.
     *
     * @param headers headers the request needs, e.g. X-Confirm: flush-all for a delete the flush guard judges a flush
     * @param guard what a guard would say about this request, in words; null when no guard objects
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProposedRequest(String method, String path, Object body, String role, String description,
                                  Map<String, String> headers, String guard) {

        public ProposedRequest(String method, String path, Object body, String role, String description) {
            this(method, path, body, role, description, null, null);
        }
    }
}
