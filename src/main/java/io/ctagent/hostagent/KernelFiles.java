package io.ctagent.hostagent;

/**
 * The kernel files the agent reads, by name, each relative to the root {@link HostPaths} resolves it
 * under: the proc root ({@code /proc}) or the sys root ({@code /sys}). One place for their spelling.
 */
public final class KernelFiles {

    /** Under the proc root: the netfilter sysctls' directory. */
    public static final String NETFILTER_DIR = "sys/net/netfilter";
    /** Under the proc root: entries in the namespace's table. */
    public static final String COUNT = NETFILTER_DIR + "/nf_conntrack_count";
    /** Under the proc root: the table's limit (global, writable in the initial namespace). */
    public static final String MAX = NETFILTER_DIR + "/nf_conntrack_max";
    /** Under the proc root: the hash table's size (global, writable in the initial namespace). */
    public static final String BUCKETS = NETFILTER_DIR + "/nf_conntrack_buckets";
    /** Under the proc root: the old name of nf_conntrack_max, only in the initial namespace. */
    public static final String LEGACY_MAX = "sys/net/nf_conntrack_max";
    /** Under the proc root: the per-CPU statistics. */
    public static final String STAT = "net/stat/nf_conntrack";
    /** Under the proc root: the table itself, one entry a line. */
    public static final String TABLE = "net/nf_conntrack";
    /** Under the proc root: the slab caches (nf_conntrack's object size). */
    public static final String SLABINFO = "slabinfo";
    /** Under the proc root: the host's memory. */
    public static final String MEMINFO = "meminfo";
    /** Under the sys root: the module parameter that sizes the hash table. */
    public static final String HASHSIZE = "module/nf_conntrack/parameters/hashsize";
    /** Under the sys root: present only when nf_conntrack is a loadable module. */
    public static final String INITSTATE = "module/nf_conntrack/initstate";

    private KernelFiles() {
    }

    /** The statistics of the namespace process {@code pid} is in, under the proc root. */
    public static String statOf(long pid) {
        return pid + "/" + STAT;
    }
}
