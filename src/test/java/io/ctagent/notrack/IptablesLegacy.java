package io.ctagent.notrack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.LabNamespace;

/** Test help for iptables-legacy: a tool path that points the agent at it, and listing filters. */
final class IptablesLegacy {

    private IptablesLegacy() {
    }

    /** iptables-legacy must be installed and the kernel must still offer the legacy tables. */
    static void require() {
        HostPrerequisites.require("iptables-legacy", "ip6tables-legacy");
        try (LabNamespace probe = LabNamespace.create()) {
            probe.exec("iptables-legacy", "-t", "raw", "-S");
        } catch (IllegalStateException e) {
            String reason = "the kernel offers no legacy iptables tables: " + e.getMessage();
            if (HostPrerequisites.onCi()) {
                Assertions.fail("CI=true but a real-kernel prerequisite is missing: " + reason);
            }
            Assumptions.assumeTrue(false, "skipped: " + reason);
        }
    }

    /** A directory of symlinks: iptables and ip6tables to the legacy binaries, every other tool to itself. */
    static String toolPath() {
        try {
            Path dir = Files.createTempDirectory("ctagent-legacy-tools");
            Map<String, String> tools = Map.of("iptables", "iptables-legacy", "ip6tables", "ip6tables-legacy");
            for (String tool : new String[] {"conntrack", "nft", "iptables", "ip6tables", "ip", "nsenter", "sysctl",
                    "sudo", "cat"}) {
                String target = HostPrerequisites.which(tools.getOrDefault(tool, tool));
                if (target != null) {
                    Files.createSymbolicLink(dir.resolve(tool), Path.of(target));
                }
            }
            return dir.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of `-S` output that are not the agent's (its chains and its jump rules). */
    static String withoutAgentLines(String listing) {
        return listing.lines().filter(line -> !line.contains(IptablesRules.CHAIN_PREFIX))
                .collect(Collectors.joining("\n"));
    }
}
