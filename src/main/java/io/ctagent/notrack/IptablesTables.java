package io.ctagent.notrack;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Tool;

/**
 * Whether listing an iptables table is free of side effects. iptables-legacy instantiates a
 * table in the namespace just by listing it (for nat that also hooks in NAT and conntrack), so
 * with legacy binaries a table is only listed when /proc/net/ip(6)_tables_names already names it.
 */
@Component
class IptablesTables {

    private final HostAgent host;
    private final Map<Tool, Boolean> legacy = new ConcurrentHashMap<>();

    IptablesTables(HostAgent host) {
        this.host = host;
    }

    boolean mayList(NetnsTarget netns, Tool tool, String table) {
        if (!isLegacy(tool)) {
            return true;
        }
        String names = tool == Tool.IP6TABLES ? "net/ip6_tables_names" : "net/ip_tables_names";
        return host.readProc(netns, names).map(text -> text.lines().anyMatch(table::equals)).orElse(false);
    }

    boolean isLegacy(Tool tool) {
        // "iptables v1.8.9 (legacy)" or "(nf_tables)"; --version needs no privilege.
        return legacy.computeIfAbsent(tool, t -> host.runUnprivileged(t, List.of("--version")).stdout()
                .contains("legacy"));
    }
}
