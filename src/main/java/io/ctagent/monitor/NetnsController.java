package io.ctagent.monitor;

import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.ctagent.usage.HistoryWindowParam;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@RequestMapping(path = "/api/v1/netns", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "netns", description = "Network namespaces on the host and how full each one's table is")
class NetnsController {

    private final NetnsInventory inventory;
    private final NetnsSampler sampler;

    NetnsController(NetnsInventory inventory, NetnsSampler sampler) {
        this.inventory = inventory;
        this.sampler = sampler;
    }

    @GetMapping
    @Operation(summary = "Every network namespace with its conntrack count, share of the global max and processes")
    List<NetnsSummary> list() {
        return inventory.list();
    }

    @GetMapping("/history")
    @Operation(summary = "Every namespace sampled: the fullest one's count and drops per second summed over "
            + "all namespaces, with the same interval and window as /api/v1/conntrack/usage/history")
    NetnsHistoryWindow netnsHistory(
            @Parameter(description = "how far back, e.g. 15m, 1h, 300s (at most ctagent.monitor.history)")
            @RequestParam(defaultValue = "15m") String window,
            @Parameter(description = "also give this namespace's count in each point (its inode)")
            @RequestParam(required = false) Long inode) {
        return sampler.window(HistoryWindowParam.parse(window, sampler.properties().history()), inode);
    }
}
