package io.ctagent.monitor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.ctagent.monitor.NetnsInventory.NetnsReading;
import io.ctagent.monitor.NetnsInventory.NetnsReadings;
import io.ctagent.monitor.NetnsSummary.ProcessSummary;
import io.ctagent.usage.StatCounters;

/** Inventory passes built by hand, as NetnsInventory would return them (fullest first). */
final class NetnsReadingsFixture {

    static final long OWN_INODE = 4026531840L;
    static final String CONTAINER = "3f1a9c0d2b4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";

    private final long max;
    private final List<NetnsReading> namespaces = new ArrayList<>();

    private NetnsReadingsFixture(long max) {
        this.max = max;
    }

    static NetnsReadingsFixture max(long max) {
        return new NetnsReadingsFixture(max);
    }

    NetnsReadingsFixture own(long count) {
        return add(OWN_INODE, null, true, count, 0, null);
    }

    NetnsReadingsFixture named(long inode, String name, long count, long drops) {
        return add(inode, name, false, count, drops, null);
    }

    NetnsReadingsFixture pod(long inode, long count, String containerId) {
        return add(inode, null, false, count, 0, containerId);
    }

    NetnsReadingsFixture add(long inode, String name, boolean own, long count, long drops, String containerId) {
        List<ProcessSummary> processes = containerId == null && name != null ? List.of()
                : List.of(new ProcessSummary((int) (inode % 100000), own ? "java" : "pause", containerId));
        NetnsSummary summary = new NetnsSummary(inode, name, own, count, Math.round(10000.0 * count / max) / 100.0,
                processes.isEmpty() ? "nsenter" : "pid 1", processes.size(), processes);
        namespaces.add(new NetnsReading(summary, counters(count, drops)));
        return this;
    }

    NetnsReadings build() {
        List<NetnsReading> sorted = new ArrayList<>(namespaces);
        sorted.sort(Comparator.comparing((NetnsReading n) -> n.summary().count()).reversed());
        return new NetnsReadings(max, sorted);
    }

    static StatCounters counters(long entries, long drops) {
        return new StatCounters(null, entries, 0L, 0L, 0L, 0L, 0L, drops, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L);
    }
}
