package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IptablesListingTest {

    /** `iptables -t raw -v -S` in a lab namespace (iptables-nft 1.8.9; legacy prints the same). */
    static final String RAW = """
            -P PREROUTING ACCEPT -c 0 0
            -P OUTPUT ACCEPT -c 0 0
            -N CTAGENT-NOTRACK-OUTPUT
            -A PREROUTING -p tcp -m tcp --dport 9999 -m comment --comment "someone else" -c 3 180 -j CT --notrack
            -A PREROUTING -p tcp -m tcp --dport 9998 -c 0 0 -j NOTRACK
            -A PREROUTING -p udp -m udp --dport 4789 -c 0 0 -j CT --zone 5
            -A OUTPUT -m comment --comment "ctagent:jump" -c 10 430 -j CTAGENT-NOTRACK-OUTPUT
            -A CTAGENT-NOTRACK-OUTPUT -p udp -m multiport --dports 40001,41000:41010 -m comment --comment "ctagent:0a1b2c3d" -c 5 145 -j CT --notrack
            -A CTAGENT-NOTRACK-OUTPUT -s 10.0.0.0/8 -o eth0 -p udp -m udp --sport 1:1024 --dport 40001 -m comment --comment "ctagent:deadbeef" -c 0 0 -j CT --notrack
            """;

    @Test
    void findsTheOwnTaggedRulesWithRuleNumbersAndCounters() {
        KernelState state = IptablesListing.owned(RAW, "iptables");

        assertThat(state.owned()).containsExactly(
                new KernelRule("0a1b2c3d", "iptables raw CTAGENT-NOTRACK-OUTPUT", 1, 5, 145),
                new KernelRule("deadbeef", "iptables raw CTAGENT-NOTRACK-OUTPUT", 2, 0, 0));
        assertThat(state.structure()).containsExactlyInAnyOrder("iptables chain CTAGENT-NOTRACK-OUTPUT",
                "iptables jump OUTPUT");
    }

    @Test
    void listsOtherNotrackRulesReadOnlyButNotOtherTargetsNorTheOwnJump() {
        assertThat(IptablesListing.foreignNotrack(RAW, "iptables")).containsExactly(
                new ForeignRule("iptables", "iptables raw PREROUTING",
                        "-A PREROUTING -p tcp -m tcp --dport 9999 -m comment --comment \"someone else\" "
                                + "-j CT --notrack",
                        3L, 180L),
                new ForeignRule("iptables", "iptables raw PREROUTING",
                        "-A PREROUTING -p tcp -m tcp --dport 9998 -j NOTRACK", 0L, 0L));
    }

    @Test
    void aCommentThatOnlyLooksLikeATagOutsideTheOwnChainsIsNotOwned() {
        String text = "-A PREROUTING -m comment --comment \"ctagent:0a1b2c3d\" -c 0 0 -j CT --notrack\n";

        assertThat(IptablesListing.owned(text, "iptables").owned()).isEmpty();
        assertThat(IptablesListing.foreignNotrack(text, "iptables")).hasSize(1);
    }

    /** The lifeline in a lab namespace (iptables-nft 1.8.9), before and after it matched only local destinations. */
    static final String LIFELINE = """
            -P PREROUTING ACCEPT -c 0 0
            -P OUTPUT ACCEPT -c 0 0
            -N CTAGENT-NOTRACK-PREROUTING
            -N CTAGENT-NOTRACK-OUTPUT
            -A PREROUTING -m comment --comment "ctagent:jump" -c 5 355 -j CTAGENT-NOTRACK-PREROUTING
            -A OUTPUT -m comment --comment "ctagent:jump" -c 0 0 -j CTAGENT-NOTRACK-OUTPUT
            -A CTAGENT-NOTRACK-PREROUTING -p tcp -m tcp --dport 8080 -m addrtype --dst-type LOCAL -m comment --comment "ctagent:lifeline" -c 4 295 -j CT --notrack
            -A CTAGENT-NOTRACK-PREROUTING -p tcp -m tcp --dport 8080 -m comment --comment "ctagent:lifeline" -c 0 0 -j CT --notrack
            -A CTAGENT-NOTRACK-OUTPUT -o lo -p tcp -m tcp --dport 8080 -m comment --comment "ctagent:lifeline" -c 0 0 -j CT --notrack
            """;

    @Test
    void aCopyMatchingOnlyLocalDestinationsIsToldApartFromOneForAnyDestination() {
        KernelState state = IptablesListing.owned(LIFELINE, "iptables");

        KernelRule local = new KernelRule("lifeline", "iptables raw CTAGENT-NOTRACK-PREROUTING", 1, 4, 295);
        assertThat(state.owned()).containsExactly(local,
                new KernelRule("lifeline", "iptables raw CTAGENT-NOTRACK-PREROUTING", 2, 0, 0),
                new KernelRule("lifeline", "iptables raw CTAGENT-NOTRACK-OUTPUT", 1, 0, 0));
        assertThat(state.localDst()).containsExactly(local);
        assertThat(IptablesListing.foreignNotrack(LIFELINE, "iptables")).isEmpty();
    }

    @Test
    void tokenizesQuotedStrings() {
        assertThat(IptablesListing.tokenize("-A X --comment \"a b \\\"c\\\"\" -j Y"))
                .containsExactly("-A", "X", "--comment", "a b \"c\"", "-j", "Y");
    }
}
