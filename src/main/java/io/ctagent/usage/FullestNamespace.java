package io.ctagent.usage;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The network namespace with the most conntrack entries on the host. nf_conntrack_max is global but
 * each namespace counts its own entries, so a pod can drop connections while the agent's own table
 * is nearly empty.
 *
 * @param netns its name under /run/netns, absent when it has none (most pods)
 * @param inode its inode: the number the kernel prints in "table full in netns N"
 * @param own whether it is the agent's own namespace
 * @param count its entries
 * @param usagePercent count as a percent of the global nf_conntrack_max
 * @param level OK, WARN or CRITICAL by the same percents as the agent's own namespace
 * @param processCount how many processes run in it
 * @param processes up to 20 of them
 * @param containerId the container of its first process that runs in one, absent otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FullestNamespace(String netns, long inode, boolean own, long count, double usagePercent,
                               UsageLevel level, int processCount, List<NamespaceProcess> processes,
                               String containerId) {

    /** A process in the namespace. */
    public record NamespaceProcess(int pid, String command) {
    }

    /** "barslab-x" or, for a namespace without a name, "netns 4026532281". */
    public String label() {
        return netns != null ? netns : "netns " + inode;
    }
}
