package io.ctagent.entries;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnySetter;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A flush: a filter (operator), or the whole table with {"all": true} (admin, header X-Confirm: flush-all).
 *
 * @param filter which entries to delete; fields as in GET /entries
 * @param dryRun count what matches now and show the command, without deleting
 * @param all flush the whole table (conntrack -F) instead of filtered entries
 */
@Schema(description = "A filtered delete ({filter}) or a whole-table flush ({all: true}); dryRun only counts")
public record FlushRequest(
        @Schema(description = "which entries to delete; the fields of GET /entries, all must match")
        FilterParams filter,
        @Schema(description = "only count what matches now and show the command; delete nothing")
        Boolean dryRun,
        @Schema(description = "flush the whole table (conntrack -F); needs the header X-Confirm: flush-all "
                + "and the admin role; no filter")
        Boolean all,
                           @Schema(hidden = true) @JsonAnySetter Map<String, Object> unknown) {

    public FlushRequest {
        unknown = unknown == null ? new LinkedHashMap<>() : unknown;
    }
}
