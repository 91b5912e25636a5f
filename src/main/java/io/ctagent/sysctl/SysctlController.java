package io.ctagent.sysctl;

import java.util.List;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;

import io.ctagent.hostagent.NetnsTarget;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@RequestMapping(path = "/api/v1/sysctls", produces = "application/json")
@Tag(name = "sysctls", description = "The conntrack sysctls: running and boot values, changes, batches, rollback")
class SysctlController {

    private static final String NETNS = "a network namespace under /run/netns for the per-namespace keys; "
            + "default: the agent's own";

    private final SysctlCatalog catalog;
    private final SysctlReader reader;
    private final SysctlChanger changer;

    SysctlController(SysctlCatalog catalog, SysctlReader reader, SysctlChanger changer) {
        this.catalog = catalog;
        this.reader = reader;
        this.changer = changer;
    }

    @GetMapping
    @Operation(operationId = "listSysctls",
                summary = "Every managed key with value, boot value, writability, unit, range and warnings")
    List<SysctlView> list(@Parameter(description = NETNS) @RequestParam(required = false) String netns) {
        return reader.list(NetnsTarget.parse(netns));
    }

    @GetMapping("/{key}")
    @Operation(operationId = "getSysctl", summary = "One key, with an ETag for If-Match on PUT")
    @ApiResponse(responseCode = "200", description = "the key, with its ETag header")
    @ApiResponse(responseCode = "304", description = "If-None-Match names the current ETag: not modified")
    ResponseEntity<SysctlView> get(@PathVariable String key,
                                   @Parameter(description = NETNS) @RequestParam(required = false) String netns,
                                   WebRequest request) {
        NetnsTarget target = NetnsTarget.parse(netns);
        SysctlView view = reader.view(catalog.require("key", key), target);
        String etag = SysctlReader.etag(view);
        if (request.checkNotModified(etag)) {
            return null;
        }
        return ResponseEntity.ok().eTag(etag).body(view);
    }

    @PutMapping(path = "/{key}", consumes = "application/json")
    @Operation(operationId = "setSysctl",
                summary = "Set one key (optionally persisted); If-Match refuses a stale ETag with 412")
    SysctlChange put(@PathVariable String key,
                     @Parameter(description = NETNS) @RequestParam(required = false) String netns,
                     @Parameter(description = "the ETag of GET /api/v1/sysctls/{key}; 412 when the key changed since")
                     @RequestHeader(name = "If-Match", required = false) String ifMatch,
                     @RequestBody(required = false) SysctlRequests.SysctlPutRequest body) {
        return changer.put(key, netns, body, ifMatch);
    }

    @PatchMapping(consumes = "application/json")
    @Operation(operationId = "patchSysctls",
                summary = "Set several keys, all or nothing: validated first, applied in order, restored on a failure")
    SysctlChange patch(@Parameter(description = NETNS) @RequestParam(required = false) String netns,
                       @RequestBody(required = false) SysctlRequests.SysctlPatchRequest body) {
        return changer.patch(netns, body);
    }

    @PostMapping(path = "/rollback", consumes = "application/json")
    @Operation(operationId = "rollbackSysctls",
                summary = "Restore the before values of an audited change (runtime, and the drop-in if it was persisted)")
    @ApiResponse(responseCode = "200", description = "the values restored (or, with dryRun, the plan)")
    @ApiResponse(responseCode = "404", description = "no audited sysctl change has that auditId")
    SysctlChange rollback(@RequestBody(required = false) SysctlRequests.SysctlRollbackRequest body) {
        return changer.rollback(body);
    }
}
