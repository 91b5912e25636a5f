package io.ctagent.entries;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.KernelFiles;
import io.ctagent.hostagent.CommandResult;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Tool;
import io.ctagent.problem.OperatorProblem;

/**
 * One pass over a namespace's conntrack table, streamed from /proc/net/nf_conntrack or from
 * `conntrack -L -o extended`, each line parsed in place and handed to a visitor.
 */
@Component
public class ConntrackTable {

    static final String PROC_TABLE = KernelFiles.TABLE;
    static final String COUNT = KernelFiles.COUNT;
    private static final List<String> LIST_ARGS = List.of("-L", "-o", "extended");
    /**
     * The read-ahead ring for /proc, 4 x 256 KiB: a chunk is one read(2), and 250,000 entries (40 MB)
     * take ~150 hand-overs between the threads. Smaller chunks measured slower (32 KiB: +15%).
     */
    static final int READ_AHEAD_CHUNK = 256 * 1024;
    static final int READ_AHEAD_CHUNKS = 4;

    private final HostAgent host;
    private final EntriesProperties properties;

    public ConntrackTable(HostAgent host, EntriesProperties properties) {
        this.host = host;
        this.properties = properties;
    }

    /**
     * Which source a read of this namespace will use; fails (404, 503) before anything is streamed, so a
     * streaming response never starts for a table that cannot be read.
     */
    TableSource sourceFor(NetnsTarget netns) {
        host.requireNetns(netns);
        return switch (properties.source()) {
            case PROCFS -> TableSource.PROCFS;
            case CONNTRACK -> requireConntrack();
            case AUTO -> {
                // The file is per namespace, but every namespace has it when the kernel has procfs support.
                if (host.procExists(PROC_TABLE)) {
                    yield TableSource.PROCFS;
                }
                if (!host.procExists(COUNT)) {
                    throw notLoaded();
                }
                yield requireConntrack();
            }
        };
    }

    /** What one pass saw: the source, how many entries and unparsable lines, and whether it was cut short. */
    record Pass(TableSource source, long entries, long skipped, boolean stoppedEarly) {
    }

    /** Streams the table once through the visitor. The visitor may stop early by returning false. */
    Pass scan(NetnsTarget netns, TableSource source, TableReader.Visitor visitor) {
        return scan(netns, source, ParseScope.FULL, visitor);
    }

    /** As {@link #scan(NetnsTarget, TableSource, TableReader.Visitor)}, parsing only what the scope asks for. */
    Pass scan(NetnsTarget netns, TableSource source, ParseScope scope, TableReader.Visitor visitor) {
        TableReader.Counts[] counts = new TableReader.Counts[1];
        if (source == TableSource.PROCFS) {
            // Reading /proc is where the kernel formats the table: a second thread reads while this one parses.
            boolean found = host.streamProc(netns, PROC_TABLE, properties.readTimeout(), in -> {
                try (InputStream ahead = new ReadAheadInputStream(in, READ_AHEAD_CHUNK, READ_AHEAD_CHUNKS)) {
                    counts[0] = TableReader.read(ahead, scope, visitor);
                }
            });
            if (!found) {
                throw notLoaded();
            }
        } else {
            CommandResult result = host.streamCommand(netns, Tool.CONNTRACK, LIST_ARGS, properties.readTimeout(),
                    in -> counts[0] = TableReader.read(in, scope, visitor));
            boolean stopped = counts[0] != null && counts[0].stoppedEarly();
            if (result.timedOut() || !result.succeeded() && !stopped) {
                throw host.commandFailed(result, "listing the conntrack table");
            }
        }
        if (counts[0] == null) {
            throw new UncheckedIOException(new java.io.IOException("the table stream ended before it was read"));
        }
        return new Pass(source, counts[0].entries(), counts[0].skipped(), counts[0].stoppedEarly());
    }

    /** nf_conntrack_count of the namespace: cheap, unlike counting the table. */
    long count(NetnsTarget netns) {
        String text = host.readProc(netns, COUNT).orElseThrow(this::notLoaded);
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new OperatorProblem(HttpStatus.BAD_GATEWAY, "unexpected-kernel-output", "Unexpected kernel value",
                    COUNT + " holds '" + text.strip() + "', not a number. Check ctagent.host.proc-root.");
        }
    }

    private TableSource requireConntrack() {
        host.tools().require(Tool.CONNTRACK);
        return TableSource.CONNTRACK;
    }

    private OperatorProblem notLoaded() {
        return new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "conntrack-not-loaded",
                "Connection tracking not loaded",
                "nf_conntrack is not loaded (no " + host.paths().procRoot() + "/" + PROC_TABLE + " or "
                        + COUNT + "). Load it with 'modprobe nf_conntrack', or check ctagent.host.proc-root.");
    }
}
