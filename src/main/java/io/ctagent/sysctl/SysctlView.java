package io.ctagent.sysctl;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * One conntrack sysctl as the agent sees it.
 *
 * @param key the sysctl name, e.g. net.netfilter.nf_conntrack_max
 * @param netns the namespace it was read in, or null for the agent's own
 * @param value the running value
 * @param persistedValue the value it gets at boot (the last sysctl.d file that sets it), or null
 * @param persistedIn the host path of that file, or null
 * @param writable whether the agent can change it here and now
 * @param readOnlyReason why not, when it cannot
 * @param unit entries, buckets, seconds, boolean, bytes, packets, mode, protocol or integer
 * @param min the smallest value the agent accepts
 * @param max the largest value the agent accepts
 * @param description what it does
 * @param warnings what would undo the value at a reboot, or is otherwise worth knowing
 */
public record SysctlView(String key, @Nullable String netns, @Nullable Long value, @Nullable Long persistedValue,
                         @Nullable String persistedIn,
                         boolean writable, @Nullable String readOnlyReason, @Nullable String unit, long min, long max,
                         String description, List<String> warnings) {
}
