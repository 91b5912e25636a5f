package io.ctagent.entries;

import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springdoc.core.annotations.ParameterObject;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import io.ctagent.hostagent.NetnsTarget;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;

@RestController
@RequestMapping("/api/v1/conntrack/entries")
@Tag(name = "entries", description = "What is in the connection-tracking table: list, stream, summarise")
class EntriesController {

    static final String NDJSON = "application/x-ndjson";
    private static final Logger log = LoggerFactory.getLogger(EntriesController.class);
    private static final Set<String> LIST_PARAMETERS = parameters("limit", "cursor", "netns");
    private static final Set<String> SUMMARY_PARAMETERS = parameters("groupBy", "top", "netns");

    private final EntryService entries;

    EntriesController(EntryService entries) {
        this.entries = entries;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listEntries", summary = "Matching entries, a page at a time (limit, cursor); "
            + "with Accept: application/x-ndjson every matching entry as one JSON object per line")
    @ApiResponse(responseCode = "200", description = "a page of entries; or, for Accept: application/x-ndjson, "
            + "a stream of ConntrackEntry objects, one per line",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = EntryPage.class)),
                    @Content(mediaType = NDJSON, schema = @Schema(implementation = ConntrackEntry.class))})
    @ApiResponse(responseCode = "429", description = "ctagent.entries.max-concurrent reads of the whole table "
            + "(entries, summary, diagnosis) are running; retry after Retry-After seconds")
    EntryPage list(@ParameterObject FilterParams filter,
                   @Parameter(description = "entries per page, 1-10000 (default 100)")
                   @RequestParam(required = false) String limit,
                   @Parameter(description = "nextCursor of the previous page")
                   @RequestParam(required = false) String cursor,
                   @Parameter(description = "a network namespace under /run/netns; default: the agent's own")
                   @RequestParam(required = false) String netns,
                   HttpServletRequest request) {
        QueryParameters.requireKnown(request, LIST_PARAMETERS);
        EntryFilter parsed = EntryFilter.parse(filter);
        int size = limit == null ? 100 : Numbers.parse("limit", limit, 1, EntryService.MAX_LIMIT);
        if (cursor != null && cursor.isEmpty()) {
            cursor = null;
        }
        return entries.page(NetnsTarget.parse(netns), parsed, size, cursor);
    }

    @GetMapping(produces = NDJSON)
    @Operation(hidden = true)
    ResponseEntity<StreamingResponseBody> stream(@ParameterObject FilterParams filter,
                                                 @RequestParam(required = false) String limit,
                                                 @RequestParam(required = false) String cursor,
                                                 @RequestParam(required = false) String netns,
                                                 HttpServletRequest request) {
        QueryParameters.requireKnown(request, LIST_PARAMETERS);
        EntryFilter parsed = EntryFilter.parse(filter);
        Integer cap = limit == null ? null : Numbers.parse("limit", limit, 1, Integer.MAX_VALUE);
        if (cursor != null) {
            throw new io.ctagent.problem.InvalidInput("cursor", "cursor pages JSON listings; an ndjson stream "
                    + "already returns every matching entry");
        }
        NetnsTarget target = NetnsTarget.parse(netns);
        TableSource source = entries.prepareStream(target);
        StreamingResponseBody body = out -> {
            try {
                entries.writeNdjson(target, source, parsed, cap, out);
            } catch (UncheckedIOException e) {
                // Most often the client went away; the read of the table was stopped with it.
                log.debug("ndjson stream of conntrack entries ended early: {}", e.getMessage());
                throw e.getCause();
            } catch (RuntimeException e) {
                // The 200 is sent: the container must cut the connection so the stream cannot pass for complete.
                log.warn("ndjson stream of conntrack entries failed after it started: {}", e.getMessage());
                throw new StreamCutShort(e);
            }
        };
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(NDJSON)).body(body);
    }

    @GetMapping(path = "/summary", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "summarizeEntries", summary = "What fills the table: matching entries counted by groupBy, largest groups first, "
            + "with total and matched counts; one pass over the table")
    @ApiResponse(responseCode = "200", description = "the groups, largest first, with total and matched counts")
    @ApiResponse(responseCode = "429", description = "ctagent.entries.max-concurrent reads of the whole table "
            + "(entries, summary, diagnosis) are running; retry after Retry-After seconds")
    EntrySummary summary(@ParameterObject FilterParams filter,
                         @Parameter(description = "comma-separated: protocol, state, src, dst, dport, sport, zone, "
                                 + "mark (default protocol,state)", example = "protocol,dport")
                         @RequestParam(required = false) String groupBy,
                         @Parameter(description = "how many groups to return, 1-1000 (default 20)")
                         @RequestParam(required = false) String top,
                         @Parameter(description = "a network namespace under /run/netns; default: the agent's own")
                         @RequestParam(required = false) String netns,
                         HttpServletRequest request) {
        QueryParameters.requireKnown(request, SUMMARY_PARAMETERS);
        EntryFilter parsed = EntryFilter.parse(filter);
        List<GroupBy> dimensions = GroupBy.parseList("groupBy", groupBy == null ? "protocol,state" : groupBy);
        int count = top == null ? 20 : Numbers.parse("top", top, 1, EntryService.MAX_TOP);
        return entries.summary(NetnsTarget.parse(netns), parsed, dimensions, count);
    }

    private static Set<String> parameters(String... extra) {
        Set<String> names = new HashSet<>(FilterParams.NAMES);
        names.addAll(List.of(extra));
        return Set.copyOf(names);
    }

    /** Not a problem for the client (too late for one): an error the container answers by closing the connection. */
    static final class StreamCutShort extends IllegalStateException {
        StreamCutShort(RuntimeException cause) {
            super("ndjson stream of conntrack entries cut short: " + cause.getMessage(), cause);
        }
    }
}
