package io.ctagent.sysctl;

import java.util.HashMap;
import java.util.Map;

import io.ctagent.sysctl.SysctlSpec.Scope;

/**
 * Facts about the conntrack sysctls, in our words, from the kernel's
 * Documentation/networking/nf_conntrack-sysctl.rst and the sysctl table in
 * nf_conntrack_standalone.c (which keys are read-only outside the initial namespace).
 * A key the running kernel has but this table does not know is still managed, as a plain integer.
 */
final class KnownSysctls {

    /** The largest int the kernel stores. */
    static final long INT_MAX = Integer.MAX_VALUE;
    /** Timeouts are converted to jiffies; INT_MAX / HZ with HZ up to 1000 is the safe ceiling. */
    static final long MAX_SECONDS = INT_MAX / 1000;
    /** The kernel rejects a hash table larger than UINT_MAX / 8 buckets. */
    static final long MAX_BUCKETS = 0xFFFF_FFFFL / 8;

    private static final Map<String, SysctlSpec> SPECS = new HashMap<>();

    static {
        entries("nf_conntrack_max", 1, INT_MAX, Scope.INITIAL_NAMESPACE,
                "Most connections tracked at once in each namespace; a new connection past it is dropped "
                        + "(\"table full, dropping packet\"). Since Linux 5.15 the default equals nf_conntrack_buckets; "
                        + "every entry is hashed twice (original and reply direction), so a full table averages two "
                        + "entries per bucket. 0 would mean no limit, which the agent refuses. Writable only in the "
                        + "initial network namespace.");
        put("nf_conntrack_buckets", "buckets", 1, MAX_BUCKETS, Scope.INITIAL_NAMESPACE,
                "Size of the connection hash table (the same number as the hashsize module parameter). Unless "
                        + "hashsize was given at load time the kernel sizes it from RAM: MemTotal / 16384 / 8 bytes per "
                        + "bucket, at least 1024, and since 5.15 fixed at 65536 above 1 GiB and 262144 above 4 GiB on "
                        + "64-bit. The kernel rounds a new size up to a whole page of buckets. Writable only in the "
                        + "initial network namespace.");
        entries("nf_conntrack_count", 0, INT_MAX, Scope.READ_ONLY,
                "Entries currently allocated in this namespace's table. Read-only.");
        entries("nf_conntrack_expect_max", 1, INT_MAX, Scope.INITIAL_NAMESPACE,
                "Size limit of the expectation table (related connections announced by helpers such as FTP). "
                        + "Defaults to nf_conntrack_buckets / 256; at least 1. Read-only outside the initial namespace.");
        flag("nf_conntrack_acct", "Flow accounting: adds 64-bit byte and packet counters to every entry. Default 0.");
        flag("nf_conntrack_checksum", "Check checksums of incoming packets; a packet with a bad checksum is INVALID "
                + "and not tracked. Default 1.");
        flag("nf_conntrack_timestamp", "Record when each flow started. Default 0.");
        flag("nf_conntrack_tcp_be_liberal", "Accept out-of-window TCP packets; only out-of-window RST segments are "
                + "marked INVALID. Default 0.");
        flag("nf_conntrack_tcp_ignore_invalid_rst", "Do not mark out-of-window RST segments INVALID. Default 0.");
        flag("nf_conntrack_tcp_loose", "Pick up TCP connections that were already established before tracking "
                + "began (mid-stream). 0 refuses them. Default 1.");
        put("nf_conntrack_events", "mode", 0, 2, Scope.PER_NAMESPACE,
                "Conntrack events to userspace over ctnetlink: 0 off, 1 on, 2 (default) only while a program listens.");
        put("nf_conntrack_log_invalid", "protocol", 0, 255, Scope.PER_NAMESPACE,
                "Log invalid packets of one IP protocol number: 0 none (default), 1 ICMP, 6 TCP, 17 UDP, 33 DCCP, "
                        + "41 ICMPv6, 136 UDP-Lite, 255 any protocol.");
        put("nf_conntrack_tcp_max_retrans", "packets", 0, 255, Scope.PER_NAMESPACE,
                "Retransmissions without an acceptable ACK before the shorter "
                        + "nf_conntrack_tcp_timeout_max_retrans timer applies. Default 3.");
        put("nf_conntrack_frag6_high_thresh", "bytes", 0, INT_MAX, Scope.PER_NAMESPACE,
                "Memory for reassembling IPv6 fragments; past it fragments are dropped until usage falls to "
                        + "nf_conntrack_frag6_low_thresh. Default 4 MiB on recent kernels.");
        put("nf_conntrack_frag6_low_thresh", "bytes", 0, INT_MAX, Scope.PER_NAMESPACE,
                "Where IPv6 fragment dropping stops once nf_conntrack_frag6_high_thresh was reached.");
        seconds("nf_conntrack_frag6_timeout", 60, "How long an IPv6 fragment is kept waiting for the rest.");
        seconds("nf_conntrack_generic_timeout", 600, "Entries of layer-4 protocols conntrack has no tracker for.");
        seconds("nf_conntrack_icmp_timeout", 30, "ICMP entries.");
        seconds("nf_conntrack_icmpv6_timeout", 30, "ICMPv6 entries.");
        seconds("nf_conntrack_udp_timeout", 30, "UDP entries that have seen traffic in one direction only.");
        seconds("nf_conntrack_udp_timeout_stream", 120, "UDP entries seen in both directions (a stream).");
        seconds("nf_conntrack_gre_timeout", 30, "GRE entries seen in one direction only.");
        seconds("nf_conntrack_gre_timeout_stream", 180, "GRE entries seen in both directions (a stream).");
        seconds("nf_conntrack_tcp_timeout_established", 432000, "established TCP connections. The default of "
                + "5 days keeps connections to vanished peers in the table for days.");
        seconds("nf_conntrack_tcp_timeout_syn_sent", 120, "TCP after the first SYN, before an answer.");
        seconds("nf_conntrack_tcp_timeout_syn_recv", 60, "TCP after SYN-ACK, before the final ACK.");
        seconds("nf_conntrack_tcp_timeout_fin_wait", 120, "TCP after the first FIN.");
        seconds("nf_conntrack_tcp_timeout_close_wait", 60, "TCP after a FIN from one side, waiting for the other.");
        seconds("nf_conntrack_tcp_timeout_last_ack", 30, "TCP waiting for the last ACK.");
        seconds("nf_conntrack_tcp_timeout_time_wait", 120, "TCP in TIME_WAIT.");
        seconds("nf_conntrack_tcp_timeout_close", 10, "TCP after an RST or full close.");
        seconds("nf_conntrack_tcp_timeout_max_retrans", 300, "TCP after nf_conntrack_tcp_max_retrans "
                + "unacknowledged retransmissions.");
        seconds("nf_conntrack_tcp_timeout_unacknowledged", 300, "TCP with data sent but never acknowledged.");
        seconds("nf_conntrack_sctp_timeout_closed", 10, "SCTP CLOSED.");
        seconds("nf_conntrack_sctp_timeout_cookie_wait", 3, "SCTP COOKIE_WAIT.");
        seconds("nf_conntrack_sctp_timeout_cookie_echoed", 3, "SCTP COOKIE_ECHOED.");
        seconds("nf_conntrack_sctp_timeout_established", 210, "SCTP ESTABLISHED (older kernels used 432000).");
        seconds("nf_conntrack_sctp_timeout_shutdown_sent", 3, "SCTP SHUTDOWN_SENT.");
        seconds("nf_conntrack_sctp_timeout_shutdown_recd", 3, "SCTP SHUTDOWN_RECEIVED.");
        seconds("nf_conntrack_sctp_timeout_shutdown_ack_sent", 3, "SCTP SHUTDOWN_ACK_SENT.");
        seconds("nf_conntrack_sctp_timeout_heartbeat_sent", 30, "SCTP secondary paths after a HEARTBEAT.");
        seconds("nf_conntrack_sctp_timeout_heartbeat_acked", 210, "SCTP secondary paths after a HEARTBEAT_ACK.");
        SPECS.put("net.nf_conntrack_max", new SysctlSpec("entries", 1, INT_MAX, Scope.INITIAL_NAMESPACE,
                "The older name of net.netfilter.nf_conntrack_max: the same kernel variable, present only in the "
                        + "initial network namespace. Setting either changes both."));
    }

    private KnownSysctls() {
    }

    /** The spec of a discovered key; an unknown one is a plain integer written per namespace. */
    static SysctlSpec spec(SysctlKey key) {
        SysctlSpec spec = SPECS.get(key.name());
        if (spec != null) {
            return spec;
        }
        return new SysctlSpec("integer", 0, INT_MAX, Scope.PER_NAMESPACE,
                "Not described by the agent; see the kernel's Documentation/networking/nf_conntrack-sysctl.rst.");
    }

    private static void entries(String name, long min, long max, Scope scope, String description) {
        put(name, "entries", min, max, scope, description);
    }

    private static void flag(String name, String description) {
        put(name, "boolean", 0, 1, Scope.PER_NAMESPACE, description);
    }

    private static void seconds(String name, long kernelDefault, String description) {
        put(name, "seconds", 1, MAX_SECONDS, Scope.PER_NAMESPACE,
                "Idle timeout: " + description + " Kernel default " + kernelDefault + " s.");
    }

    private static void put(String name, String unit, long min, long max, Scope scope, String description) {
        SPECS.put("net.netfilter." + name, new SysctlSpec(unit, min, max, scope, description));
    }
}
