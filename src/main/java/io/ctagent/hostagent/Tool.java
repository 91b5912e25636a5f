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
    /**
     * Sudo mode's root helper (bin/conntrack-agent-root, installed root-owned in /usr/local/sbin): persists the
     * managed files, sets the hashsize parameter and applies nft scripts, each checked as root.
     */
    ROOT_HELPER("conntrack-agent-root");

    private final String binary;

    Tool(String binary) {
        this.binary = binary;
    }

    public String binary() {
        return binary;
    }
}
