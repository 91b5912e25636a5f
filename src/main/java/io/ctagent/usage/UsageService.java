package io.ctagent.usage;

import java.time.Clock;
import java.time.Instant;
import java.util.OptionalInt;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import io.ctagent.hostagent.KernelFiles;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.problem.OperatorProblem;

/** Reads conntrack usage and statistics of a namespace from the kernel's files. */
@Service
public class UsageService {

    static final String COUNT = KernelFiles.COUNT;
    static final String MAX = KernelFiles.MAX;
    static final String BUCKETS = KernelFiles.BUCKETS;
    static final String STAT = KernelFiles.STAT;
    static final String SLABINFO = KernelFiles.SLABINFO;
    static final String HASHSIZE = KernelFiles.HASHSIZE;

    /** Bytes per entry when /proc/slabinfo is unreadable (it is root-only): a common x86_64 size. */
    static final int FALLBACK_OBJECT_SIZE = 320;
    /** One hlist_nulls_head pointer per bucket. */
    static final int BUCKET_BYTES = 8;

    private final HostAgent host;
    private final UsageProperties properties;
    private final Clock clock;
    private volatile OptionalInt slabObjectSize;

    public UsageService(HostAgent host, UsageProperties properties, Clock clock) {
        this.host = host;
        this.properties = properties;
        this.clock = clock;
    }

    public ConntrackUsage usage(NetnsTarget netns) {
        host.requireNetns(netns);
        long count = readNumber(netns, COUNT);
        long max = readNumber(netns, MAX);
        long buckets = readNumber(netns, BUCKETS);
        Long hashsize = host.readSys(HASHSIZE).map(text -> Long.parseLong(text.strip())).orElse(null);
        int objectSize = objectSize();
        double percent = max == 0 ? 0 : round2(100.0 * count / max);
        double perBucket = buckets == 0 ? 0 : round2((double) count / buckets);
        long memory = count * objectSize + buckets * BUCKET_BYTES;
        return new ConntrackUsage(netns.name().orElse(null), count, max, percent, buckets, hashsize, perBucket,
                memory, objectSize, UsageLevel.of(percent, properties), Instant.now(clock), properties.warnPercent(),
                properties.criticalPercent());
    }

    public ConntrackStats stats(NetnsTarget netns) {
        host.requireNetns(netns);
        String text = host.readProc(netns, STAT).orElseThrow(() -> notLoaded(netns, STAT));
        return StatsParser.parse(text, netns.name().orElse(null), Instant.now(clock));
    }

    /**
     * Bytes per conntrack entry; slabinfo is global and fixed at boot, so it is read once.
     * Public for the tuning guards and recommendation, which size the table by the same rule.
     */
    public int objectSize() {
        OptionalInt known = slabObjectSize;
        if (known == null) {
            try {
                known = host.readProc(NetnsTarget.OWN, SLABINFO)
                        .map(SlabInfoParser::conntrackObjectSize).orElse(OptionalInt.empty());
            } catch (OperatorProblem unreadable) {
                known = OptionalInt.empty();
            }
            slabObjectSize = known;
        }
        return known.orElse(FALLBACK_OBJECT_SIZE);
    }

    private long readNumber(NetnsTarget netns, String file) {
        String text = host.readProc(netns, file).orElseThrow(() -> notLoaded(netns, file));
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new OperatorProblem(HttpStatus.BAD_GATEWAY, "unexpected-kernel-output", "Unexpected kernel value",
                    file + " holds '" + text.strip() + "', not a number. Check ctagent.host.proc-root.");
        }
    }

    private OperatorProblem notLoaded(NetnsTarget netns, String file) {
        return new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "conntrack-not-loaded",
                "Connection tracking not loaded",
                "nf_conntrack is not loaded (" + host.paths().procRoot() + "/" + file + " is missing"
                        + (netns.isOwn() ? "" : " in namespace " + netns) + "). Load it with 'modprobe nf_conntrack', "
                        + "or check that ctagent.host.proc-root points at the host's /proc.");
    }

    private static double round2(double value) {
        return Math.round(value * 100.0) / 100.0;
    }
}
