package io.ctagent.entries;

/** Where the entries of a table read came from. */
public enum TableSource {
    /** /proc/net/nf_conntrack of the namespace. */
    PROCFS("procfs"),
    /** `conntrack -L -o extended`, for kernels built without CONFIG_NF_CONNTRACK_PROCFS. */
    CONNTRACK("conntrack");

    private final String text;

    TableSource(String text) {
        this.text = text;
    }

    @Override
    public String toString() {
        return text;
    }

    /** The configured choice (ctagent.entries.source). */
    public enum Choice {
        AUTO, PROCFS, CONNTRACK
    }
}
