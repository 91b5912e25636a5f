package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NftJsonTest {

    /** `nft -j list table inet conntrack_agent` (nft 1.0.6), trimmed to what matters. */
    static final String TABLE = """
            {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
             {"table": {"family": "inet", "name": "conntrack_agent", "handle": 2}},
             {"chain": {"family": "inet", "table": "conntrack_agent", "name": "prerouting", "handle": 1, "type": "filter",
                        "hook": "prerouting", "prio": -300, "policy": "accept"}},
             {"chain": {"family": "inet", "table": "conntrack_agent", "name": "output", "handle": 2, "type": "filter",
                        "hook": "output", "prio": -300, "policy": "accept"}},
             {"rule": {"family": "inet", "table": "conntrack_agent", "chain": "prerouting", "handle": 4,
                       "comment": "ctagent:0a1b2c3d", "expr": [
                 {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}},
                            "right": {"set": [40001, {"range": [41000, 41010]}]}}},
                 {"counter": {"packets": 0, "bytes": 0}}, {"notrack": null}]}},
             {"rule": {"family": "inet", "table": "conntrack_agent", "chain": "output", "handle": 5,
                       "comment": "ctagent:0a1b2c3d", "expr": [
                 {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 40001}},
                 {"counter": {"packets": 50, "bytes": 1450}}, {"notrack": null}]}},
             {"rule": {"family": "inet", "table": "conntrack_agent", "chain": "output", "handle": 6,
                       "comment": "added by hand", "expr": [{"notrack": null}]}}
            ]}
            """;

    @Test
    void findsTaggedRulesWithHandleAndCountersAndIgnoresUntaggedOnes() {
        KernelState state = NftJson.owned(TABLE);

        assertThat(state.owned()).containsExactly(
                new KernelRule("0a1b2c3d", "inet conntrack_agent prerouting", 4, 0, 0),
                new KernelRule("0a1b2c3d", "inet conntrack_agent output", 5, 50, 1450));
        assertThat(state.locationsOf("0a1b2c3d")).containsExactlyInAnyOrder("inet conntrack_agent prerouting",
                "inet conntrack_agent output");
    }

    /** The lifeline as nft 1.0.6 lists it in a lab namespace: the arriving copy with its local match. */
    static final String LIFELINE = """
            {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
             {"table": {"family": "inet", "name": "conntrack_agent", "handle": 2}},
             {"chain": {"family": "inet", "table": "conntrack_agent", "name": "prerouting", "handle": 1, "type": "filter",
                        "hook": "prerouting", "prio": -300, "policy": "accept"}},
             {"rule": {"family": "inet", "table": "conntrack_agent", "chain": "prerouting", "handle": 2,
                       "comment": "ctagent:lifeline", "expr": [
                 {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}},
                 {"match": {"op": "==", "left": {"fib": {"result": "type", "flags": ["daddr"]}}, "right": "local"}},
                 {"counter": {"packets": 4, "bytes": 295}}, {"notrack": null}]}},
             {"rule": {"family": "inet", "table": "conntrack_agent", "chain": "prerouting", "handle": 3,
                       "comment": "ctagent:lifeline", "expr": [
                 {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}},
                 {"match": {"op": "!=", "left": {"fib": {"result": "type", "flags": ["daddr"]}}, "right": "local"}},
                 {"counter": {"packets": 0, "bytes": 0}}, {"notrack": null}]}},
             {"rule": {"family": "inet", "table": "conntrack_agent", "chain": "prerouting", "handle": 4,
                       "comment": "ctagent:lifeline", "expr": [
                 {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}},
                 {"counter": {"packets": 0, "bytes": 0}}, {"notrack": null}]}}
            ]}
            """;

    @Test
    void aCopyMatchingOnlyLocalDestinationsIsToldApartFromOneForAnyOrForOtherDestinations() {
        KernelState state = NftJson.owned(LIFELINE);

        KernelRule local = new KernelRule("lifeline", "inet conntrack_agent prerouting", 2, 4, 295);
        assertThat(state.owned()).containsExactly(local,
                new KernelRule("lifeline", "inet conntrack_agent prerouting", 3, 0, 0),
                new KernelRule("lifeline", "inet conntrack_agent prerouting", 4, 0, 0));
        assertThat(state.localDst()).containsExactly(local);
        assertThat(NftJson.owned(TABLE).localDst()).isEmpty();
    }
}
