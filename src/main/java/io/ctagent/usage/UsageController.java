package io.ctagent.usage;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.ctagent.hostagent.NetnsTarget;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@RequestMapping(path = "/api/v1/conntrack", produces = "application/json")
@Tag(name = "usage", description = "How full the connection-tracking table is")
class UsageController {

    private final UsageService usage;
    private final UsageHistory history;
    private final ObjectProvider<FullestNamespaceFinder> fullest;

    UsageController(UsageService usage, UsageHistory history, ObjectProvider<FullestNamespaceFinder> fullest) {
        this.usage = usage;
        this.history = history;
        this.fullest = fullest;
    }

    @GetMapping("/usage")
    @Operation(summary = "Count, max, buckets, memory and level (OK/WARN/CRITICAL) of one namespace, "
            + "and the host's fullest namespace")
    ConntrackUsage usage(@Parameter(description = "a network namespace under /run/netns; default: the agent's own")
                         @RequestParam(required = false) String netns) {
        ConntrackUsage asked = usage.usage(NetnsTarget.parse(netns));
        FullestNamespaceFinder finder = fullest.getIfAvailable();
        return finder == null ? asked : asked.withFullest(finder.fullest().orElse(null));
    }

    @GetMapping("/stats")
    @Operation(summary = "Kernel statistics from /proc/net/stat/nf_conntrack: totals and per CPU")
    ConntrackStats stats(@Parameter(description = "a network namespace under /run/netns; default: the agent's own")
                         @RequestParam(required = false) String netns) {
        return usage.stats(NetnsTarget.parse(netns));
    }

    @GetMapping("/usage/history")
    @Operation(summary = "Sampled usage of the agent's own namespace with new/drop/early-drop/insert-failed rates")
    UsageHistoryWindow history(@Parameter(description = "how far back, e.g. 15m, 1h, 300s (at most ctagent.monitor.history)")
                               @RequestParam(defaultValue = "15m") String window) {
        return history.window(HistoryWindowParam.parse(window, history.properties().history()));
    }
}
