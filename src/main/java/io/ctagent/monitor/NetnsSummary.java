package io.ctagent.monitor;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One network namespace on the host.
 *
 * @param inode the namespace's inode: the number the kernel prints in "table full in netns N"
 * @param name its name under /run/netns, if it has one
 * @param own whether the agent itself runs in it
 * @param count its conntrack entries, when they could be read
 * @param usagePercent count as a percent of the global nf_conntrack_max
 * @param countFrom how the count was read: "pid N" (that process's /proc/N/net) or "nsenter"
 * @param processCount how many processes run in it
 * @param processes up to 20 of them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetnsSummary(long inode, String name, boolean own, Long count, Double usagePercent, String countFrom,
                           int processCount, List<ProcessSummary> processes) {

    /** A process in a namespace; containerId comes from its cgroup path when it has one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProcessSummary(int pid, String command, String containerId) {
    }
}
