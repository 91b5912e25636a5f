package io.ctagent.monitor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.stereotype.Service;

import io.ctagent.hostagent.HostNamespaces;
import io.ctagent.hostagent.HostNamespaces.ProcessInNetns;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.usage.StatCounters;
import io.ctagent.usage.StatsParser;
import io.ctagent.usage.UsageService;
import io.ctagent.monitor.NetnsSummary.ProcessSummary;

/**
 * Every network namespace on the host with its conntrack count. max is global but counts are
 * per namespace, so a pod's namespace can be full while the host's own looks half empty.
 */
@Service
public class NetnsInventory {

    private static final int PROCESSES_SHOWN = 20;
    private static final Pattern CONTAINER_ID = Pattern.compile("([0-9a-f]{64})");

    private final HostNamespaces namespaces;
    private final UsageService usage;

    NetnsInventory(HostNamespaces namespaces, UsageService usage) {
        this.namespaces = namespaces;
        this.usage = usage;
    }

    /** Namespaces, fullest first. */
    public List<NetnsSummary> list() {
        return readings().namespaces().stream().map(NetnsReading::summary).toList();
    }

    /**
     * One pass over the host: every namespace with its count and kernel counters, fullest first. Reads
     * /proc/PID/net of a process in each namespace; only a named namespace without processes costs a
     * command (nsenter ... cat its stat file).
     */
    public NetnsReadings readings() {
        long max = usage.usage(NetnsTarget.OWN).max();
        long own = namespaces.own().orElse(-1L);
        Map<Long, List<ProcessInNetns>> byInode = new LinkedHashMap<>();
        for (ProcessInNetns process : namespaces.processes()) {
            byInode.computeIfAbsent(process.netnsInode(), inode -> new ArrayList<>()).add(process);
        }
        Map<Long, String> names = new LinkedHashMap<>();
        namespaces.named().forEach((name, inode) -> names.putIfAbsent(inode, name));
        names.keySet().forEach(inode -> byInode.computeIfAbsent(inode, i -> new ArrayList<>()));

        List<NetnsReading> result = new ArrayList<>();
        byInode.forEach((inode, processes) -> {
            String name = names.get(inode);
            Count count = count(processes, name);
            Double percent = count.value == null || max == 0 ? null
                    : Math.round(10000.0 * count.value / max) / 100.0;
            List<ProcessSummary> shown = processes.stream().limit(PROCESSES_SHOWN)
                    .map(p -> new ProcessSummary(p.pid(), p.command(), containerId(p.cgroup()))).toList();
            result.add(new NetnsReading(new NetnsSummary(inode, name, inode == own, count.value, percent, count.from,
                    processes.size(), shown), count.totals));
        });
        result.sort(Comparator.comparing((NetnsReading n) -> n.summary().count() == null ? -1
                : n.summary().count()).reversed());
        return new NetnsReadings(max, result);
    }

    public Optional<NetnsSummary> find(long inode) {
        return list().stream().filter(n -> n.inode() == inode).findFirst();
    }

    private Count count(List<ProcessInNetns> processes, String name) {
        for (ProcessInNetns process : processes) {
            try {
                Optional<String> stat = namespaces.statOfProcess(process.pid());
                if (stat.isPresent()) {
                    StatCounters totals = StatsParser.parse(stat.get(), null, Instant.EPOCH).totals();
                    if (totals.entries() != null) {
                        return new Count(totals.entries(), "pid " + process.pid(), totals);
                    }
                }
            } catch (RuntimeException exited) {
                // The process ended between listing and reading: try the next one.
            }
        }
        if (name != null) {
            try {
                // One command for count and counters (usage() would run three).
                StatCounters totals = usage.stats(NetnsTarget.parse(name)).totals();
                if (totals.entries() != null) {
                    return new Count(totals.entries(), "nsenter", totals);
                }
                return new Count(usage.usage(NetnsTarget.parse(name)).count(), "nsenter", totals);
            } catch (RuntimeException unreadable) {
                return new Count(null, null, null);
            }
        }
        return new Count(null, null, null);
    }

    static String containerId(String cgroup) {
        Matcher m = CONTAINER_ID.matcher(cgroup);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    private record Count(Long value, String from, StatCounters totals) {
    }

    /** One namespace with its kernel counters (null when they could not be read). */
    public record NetnsReading(NetnsSummary summary, StatCounters totals) {
    }

    /** One pass: the global max and every namespace, fullest first. */
    public record NetnsReadings(long max, List<NetnsReading> namespaces) {
    }
}
