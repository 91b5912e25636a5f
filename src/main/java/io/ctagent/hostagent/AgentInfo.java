package io.ctagent.hostagent;

import org.jspecify.annotations.Nullable;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.Map;

/**
 * What the agent is and what it can do on this host.
 *
 * @param mode the effective mode: DIRECT, SUDO, DRY_RUN or READ_ONLY
 * @param configuredMode the value of ctagent.host.mode
 * @param root whether the agent runs as uid 0
 * @param kernelRelease the host's kernel release
 * @param conntrackLoaded whether nf_conntrack's files exist under the proc root
 * @param tools absolute path of each host tool, or null when it was not found
 * @param iptablesVariant nf_tables or legacy, when iptables is installed
 * @param roots the proc, sys and rootfs roots in use
 * @param netns this agent's own network namespace (e.g. net:[4026531840])
 * @param lifeline the NOTRACK exemption of the agent's own traffic: enabled, installed, ports, backend, and
 *        the reason when it is not installed
 */
public record AgentInfo(EffectiveMode mode, HostMode configuredMode, boolean root, @Nullable String kernelRelease,
                        boolean conntrackLoaded,
                        @Schema(description = "tool -> its absolute path, or null when it was not found",
                                additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
                        Map<String, String> tools, @Nullable String iptablesVariant,
                        Map<String, String> roots, String netns, AgentLifeline.LifelineStatus lifeline) {
}
