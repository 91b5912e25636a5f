package io.ctagent.hostagent;

/** The host binaries the agent may run, each resolved to an absolute path at start-up. */
public enum Tool {
    CONNTRACK("conntrack"),
    NFT("nft"),
    IPTABLES("iptables"),
    IP6TABLES("ip6tables"),
    IP("ip"),
    NSENTER("nsenter"),
    SYSCTL("sysctl"),
    SUDO("sudo"),
    CAT("cat"),
    /** Privileged file writes in sudo mode: stdin to a fixed temp path, with fsync. */
    DD("dd"),
    /** The atomic rename that completes a privileged file write in sudo mode. */
    MV("mv");

    private final String binary;

    Tool(String binary) {
        this.binary = binary;
    }

    public String binary() {
        return binary;
    }
}
