package io.ctagent.monitor;

import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@RequestMapping(path = "/api/v1/netns", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "netns", description = "Network namespaces on the host and how full each one's table is")
class NetnsController {

    private final NetnsInventory inventory;

    NetnsController(NetnsInventory inventory) {
        this.inventory = inventory;
    }

    @GetMapping
    @Operation(operationId = "listNamespaces",
                summary = "Every network namespace with its conntrack count, share of the global max and processes")
    List<NetnsSummary> list() {
        return inventory.list();
    }
}
