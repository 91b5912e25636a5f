package io.ctagent.entries;

import java.util.Set;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.ctagent.hostagent.NetnsTarget;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;

@RestController
@RequestMapping(path = "/api/v1/conntrack", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "entries", description = "What is in the connection-tracking table: list, stream, summarise")
class FlushController {

    private final FlushService flush;

    FlushController(FlushService flush) {
        this.flush = flush;
    }

    @PostMapping(path = "/flush", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "flushEntries", summary = "Delete the entries a filter matches (conntrack -D with exactly the filter's options; "
            + "what conntrack cannot express is refused), or the whole table with {\"all\": true} and the header "
            + "X-Confirm: flush-all; a filter matching more than ctagent.entries.flush.confirm-share (0.5) of the "
            + "table needs the same, else 409; dryRun counts the matches, shows the command and says whether the "
            + "confirmation would be needed")
    FlushResult flush(@RequestBody FlushRequest request,
                      @Parameter(description = "must be flush-all when all is true, or when the filter matches more than the "
                              + "confirmation share of the table (admin role too)")
                      @RequestHeader(name = FlushService.CONFIRM_HEADER, required = false) String confirm,
                      @Parameter(description = "a network namespace under /run/netns; default: the agent's own")
                      @RequestParam(required = false) String netns,
                      HttpServletRequest servletRequest) {
        QueryParameters.requireKnown(servletRequest, Set.of("netns"));
        return flush.flush(NetnsTarget.parse(netns), request, confirm);
    }
}
