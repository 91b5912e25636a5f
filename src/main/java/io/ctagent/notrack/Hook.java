package io.ctagent.notrack;

/** A netfilter hook a NOTRACK rule sits in, with the names each backend gives its chain there. */
enum Hook {
    PREROUTING("prerouting"),
    OUTPUT("output");

    private final String nftChain;

    Hook(String nftChain) {
        this.nftChain = nftChain;
    }

    /** The chain in the agent's nft table: prerouting or output. */
    String nftChain() {
        return nftChain;
    }

    /** The built-in iptables chain of the raw table: PREROUTING or OUTPUT. */
    String builtinChain() {
        return name();
    }

    /** The agent's own iptables chain for this hook, jumped to from {@link #builtinChain()}. */
    String ownChain() {
        return IptablesRules.CHAIN_PREFIX + name();
    }
}
