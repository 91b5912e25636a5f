package io.ctagent.notrack;

import java.net.URI;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.security.Callers;
import io.ctagent.security.Role;
import io.ctagent.problem.InvalidInput;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@RequestMapping(path = "/api/v1/notrack/rules", produces = "application/json")
@Tag(name = "notrack", description = "Scoped NOTRACK rules the agent owns: exempt chosen traffic from connection "
        + "tracking, in the agent's own nft table or iptables chains, restored after reboots and flushes")
class NotrackController {

    private static final String NETNS = "a network namespace under /run/netns; default: the agent's own";

    private final NotrackService notrack;

    NotrackController(NotrackService notrack) {
        this.notrack = notrack;
    }

    @GetMapping
    @Operation(operationId = "listNotrackRules",
                summary = "The agent's NOTRACK rules with counters and whether the kernel has them; "
            + "?include=foreign also lists other NOTRACK rules read-only")
    NotrackRules list(@Parameter(description = NETNS) @RequestParam(required = false) String netns,
                      @Parameter(description = "foreign: also list NOTRACK rules the agent does not own")
                      @RequestParam(required = false) String include) {
        if (include != null && !include.equals("foreign")) {
            throw new InvalidInput("include", "include takes the value foreign");
        }
        return notrack.list(NetnsTarget.parse(netns), include != null);
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getNotrackRule", summary = "One of the agent's NOTRACK rules")
    RuleStatus get(@PathVariable String id,
                   @Parameter(description = NETNS) @RequestParam(required = false) String netns) {
        return notrack.get(NetnsTarget.parse(netns), NotrackRule.parseId(id));
    }

    @PostMapping(consumes = "application/json")
    @Operation(operationId = "createNotrackRule",
                summary = "Add a NOTRACK rule (dryRun answers with the exact nft script or iptables argv lists)")
    @ApiResponse(responseCode = "201", description = "added and read back from the kernel")
    @ApiResponse(responseCode = "200", description = "dry run, or an identical rule exists already")
    ResponseEntity<NotrackChange> create(@Parameter(description = NETNS) @RequestParam(required = false) String netns,
                                         @RequestBody NotrackRequest request) {
        NetnsTarget target = NetnsTarget.parse(netns);
        NotrackChange change = notrack.create(target, request, Callers.has(Role.ADMIN));
        if (!change.applied()) {
            return ResponseEntity.ok(change);
        }
        URI location = URI.create("/api/v1/notrack/rules/" + change.after().id()
                + target.name().map(name -> "?netns=" + name).orElse(""));
        return ResponseEntity.created(location).body(change);
    }

    @DeleteMapping("/{id}")
    @Operation(operationId = "deleteNotrackRule",
                summary = "Delete one of the agent's NOTRACK rules (never anybody else's)")
    NotrackChange delete(@PathVariable String id,
                         @Parameter(description = NETNS) @RequestParam(required = false) String netns,
                         @Parameter(description = "answer with the exact commands without changing anything")
                         @RequestParam(defaultValue = "false") boolean dryRun) {
        return notrack.delete(NetnsTarget.parse(netns), NotrackRule.parseId(id), dryRun);
    }
}
