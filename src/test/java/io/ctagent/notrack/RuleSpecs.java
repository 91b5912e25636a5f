package io.ctagent.notrack;

import java.time.Instant;

/** Rules for tests, written the way a client would send them. */
final class RuleSpecs {

    static final Instant CREATED = Instant.parse("2026-01-02T03:04:05Z");

    private RuleSpecs() {
    }

    static RuleSpec spec(String direction, String family, String protocol, Object dports, Object sports, String iif,
                         String oif, String src, String dst) {
        return RuleSpecParser.parse(NotrackRequest.of(direction, family, protocol, dports, sports, iif, oif, src, dst,
                null));
    }

    static NotrackRule rule(String id, RuleSpec spec) {
        return new NotrackRule(id, spec, CREATED);
    }

    /** UDP to one port, both directions, both families: the rule the real-kernel tests use. */
    static NotrackRule udp(String id, int port) {
        return rule(id, spec(null, null, "udp", port, null, null, null, null, null));
    }
}
