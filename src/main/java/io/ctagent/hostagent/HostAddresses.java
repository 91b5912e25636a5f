package io.ctagent.hostagent;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The host's own addresses, as `ip -o addr show` lists them in the agent's namespace. */
public final class HostAddresses {

    private final HostAgent host;

    public HostAddresses(HostAgent host) {
        this.host = host;
    }

    /** Each address without its prefix length; empty when the ip tool is missing or fails. */
    public Set<String> local() {
        try {
            return parse(host.runUnprivileged(Tool.IP, List.of("-o", "addr", "show")).stdout());
        } catch (RuntimeException noIpTool) {
            return Set.of();
        }
    }

    /** The inet and inet6 addresses of `ip -o addr show` output. */
    static Set<String> parse(String output) {
        Set<String> addresses = new HashSet<>();
        for (String line : output.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 3 && (fields[2].equals("inet") || fields[2].equals("inet6"))) {
                addresses.add(fields[3].replaceAll("/.*", ""));
            }
        }
        return addresses;
    }
}
