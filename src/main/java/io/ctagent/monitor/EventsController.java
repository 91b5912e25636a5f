package io.ctagent.monitor;

import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.ctagent.problem.InvalidInput;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@RequestMapping("/api/v1/events")
@Tag(name = "events", description = "Table-full incidents from the kernel log and the agent's own events")
class EventsController {

    private static final int MAX_LIMIT = 1000;

    private final EventLog events;

    EventsController(EventLog events) {
        this.events = events;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listEvents", summary = "Recent events, oldest first")
    List<AgentEvent> list(@Parameter(description = "only events with a larger id") @RequestParam(defaultValue = "0")
                          long after,
                          @Parameter(description = "only this type") @RequestParam(required = false) EventType type,
                          @Parameter(description = "at most this many (1-1000), the newest")
                          @RequestParam(defaultValue = "100") int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidInput("limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        if (after < 0) {
            throw new InvalidInput("after", "after must be an event id, 0 or more");
        }
        return events.list(after, type, limit);
    }

    @GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamEvents",
                summary = "Events as they happen (server-sent events); Last-Event-ID resumes",
            description = "A text/event-stream: each event has id (the event id, for Last-Event-ID), event (its "
                    + "type, as in AgentEvent.type) and data (one AgentEvent as JSON on one line); comment lines "
                    + "keep the connection alive.")
    @ApiResponse(responseCode = "200", description = "the stream of events",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(type = "string",
                    description = "server-sent events: id: <event id>, event: <type>, data: <AgentEvent JSON>",
                    example = "id: 7\nevent: TABLE_FULL\ndata: {\"id\":7,\"type\":\"TABLE_FULL\"}\n\n")))
    SseEmitter stream(@RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        long after = 0;
        if (lastEventId != null && !lastEventId.isBlank()) {
            try {
                after = Long.parseLong(lastEventId.strip());
            } catch (NumberFormatException e) {
                throw new InvalidInput("Last-Event-ID", "Last-Event-ID must be an event id");
            }
        }
        return events.subscribe(after);
    }
}
