package io.ctagent.hostagent;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@RequestMapping(path = "/api/v1/agent", produces = "application/json")
@Tag(name = "agent", description = "The agent itself: mode, privileges, tools")
class AgentController {

    private final HostAgent host;
    private final String iptablesVariant;
    private final ObjectProvider<AgentLifeline> lifeline;

    AgentController(HostAgent host, ObjectProvider<AgentLifeline> lifeline) {
        this.host = host;
        this.lifeline = lifeline;
        this.iptablesVariant = detectIptablesVariant(host);
    }

    @GetMapping
    @Operation(summary = "Mode, privileges, kernel release, tools found, roots and namespace")
    AgentInfo agent() {
        Map<String, String> tools = new LinkedHashMap<>();
        for (Tool tool : Tool.values()) {
            tools.put(tool.binary(), host.tools().find(tool).map(Path::toString).orElse(null));
        }
        HostPaths paths = host.paths();
        Map<String, String> roots = new LinkedHashMap<>();
        roots.put("procRoot", paths.procRoot().toString());
        roots.put("sysRoot", paths.sysRoot().toString());
        roots.put("rootfs", paths.rootfs().toString());
        String kernel = host.readProc(NetnsTarget.OWN, "sys/kernel/osrelease").map(String::strip).orElse(null);
        boolean loaded = host.readProc(NetnsTarget.OWN, KernelFiles.COUNT).isPresent();
        return new AgentInfo(host.mode(), host.configuredMode(), host.root(), kernel, loaded, tools,
                iptablesVariant, roots, host.ownNetns(),
                lifeline.getIfAvailable(() -> () -> null).status());
    }

    private static String detectIptablesVariant(HostAgent host) {
        if (host.tools().find(Tool.IPTABLES).isEmpty()) {
            return null;
        }
        // "iptables v1.8.9 (nf_tables)" or "(legacy)"; --version needs no privilege.
        String out = host.runUnprivileged(Tool.IPTABLES, List.of("--version")).stdout();
        if (out.contains("nf_tables")) {
            return "nf_tables";
        }
        return out.contains("legacy") ? "legacy" : null;
    }
}
