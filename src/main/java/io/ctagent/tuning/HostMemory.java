package io.ctagent.tuning;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.KernelFiles;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.usage.UsageService;
import io.ctagent.problem.OperatorProblem;

/**
 * The host's memory as conntrack sizing sees it: MemTotal, the bytes one entry takes, and the
 * budget (ctagent.tuning.max-memory-percent of MemTotal) a full table may use.
 */
@Component
public class HostMemory {

    static final String MEMINFO = KernelFiles.MEMINFO;

    private final HostAgent host;
    private final UsageService usage;
    private final TuningProperties properties;

    public HostMemory(HostAgent host, UsageService usage, TuningProperties properties) {
        this.host = host;
        this.usage = usage;
        this.properties = properties;
    }

    /** MemTotal of /proc/meminfo under the proc root, in bytes. */
    public long memTotalBytes() {
        String text = host.readProc(NetnsTarget.OWN, MEMINFO).orElseThrow(() -> unreadable("is missing"));
        return MemInfoParser.memTotalBytes(text).orElseThrow(() -> unreadable("has no MemTotal line"));
    }

    /** Bytes per conntrack entry: the nf_conntrack slab object size (the usage feature's rule). */
    public int objectSize() {
        return usage.objectSize();
    }

    public int budgetPercent() {
        return properties.maxMemoryPercent();
    }

    /** The bytes a full table may take: max-memory-percent of MemTotal. */
    public long budgetBytes() {
        return memTotalBytes() / 100 * properties.maxMemoryPercent();
    }

    /** How many entries fit the budget at the current object size. */
    public long budgetEntries() {
        return budgetBytes() / objectSize();
    }

    private OperatorProblem unreadable(String what) {
        return new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "meminfo-unreadable", "MemTotal unknown",
                host.paths().procRoot() + "/" + MEMINFO + " " + what
                        + "; the memory guard cannot be computed. Check ctagent.host.proc-root.");
    }
}
