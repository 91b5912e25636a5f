package io.ctagent.hostagent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.problem.OperatorProblem;

/** Absolute paths of the host binaries, resolved once at start-up from a fixed search path. */
@Component
public class Tools {

    private static final Logger log = LoggerFactory.getLogger(Tools.class);

    private final Map<Tool, Path> found = new EnumMap<>(Tool.class);

    public Tools(HostProperties properties) {
        for (Tool tool : Tool.values()) {
            for (String dir : properties.toolPath().split(":")) {
                Path candidate = Path.of(dir).resolve(tool.binary());
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    found.put(tool, candidate.toAbsolutePath());
                    break;
                }
            }
            if (!found.containsKey(tool)) {
                log.info("{} not found in {}; features that need it answer 503", tool.binary(), properties.toolPath());
            }
        }
    }

    public Optional<Path> find(Tool tool) {
        return Optional.ofNullable(found.get(tool));
    }

    /** The tool's absolute path, or a 503 problem telling the operator what to install. */
    public Path require(Tool tool) {
        Path path = found.get(tool);
        if (path == null) {
            String install = tool == Tool.ROOT_HELPER
                    ? "Install bin/conntrack-agent-root as /usr/local/sbin/conntrack-agent-root (owned by root, mode "
                            + "0755) with packaging/sudoers.d/conntrack-agent (README, \"Install on a host\")"
                    : "Install it (Debian/Ubuntu: apt-get install " + packageOf(tool) + ")";
            throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "tool-missing",
                    "Host tool missing",
                    "'" + tool.binary() + "' was not found on this host when the agent started. " + install
                            + " and restart the agent.")
                    .with("tool", tool.binary());
        }
        return path;
    }

    private static String packageOf(Tool tool) {
        return switch (tool) {
            case CONNTRACK -> "conntrack";
            case NFT -> "nftables";
            case IPTABLES, IP6TABLES -> "iptables";
            case IP -> "iproute2";
            case NSENTER -> "util-linux";
            case SYSCTL -> "procps";
            case SUDO -> "sudo";
            case CAT -> "coreutils";
            case ROOT_HELPER -> "conntrack-agent";
        };
    }
}
