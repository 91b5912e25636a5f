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

    /** The lifeline's arriving rule: TCP to the ports, addressed to this host only (no request can ask for it). */
    static RuleSpec localTcp(String dst, int... ports) {
        RuleSpec any = spec("PREROUTING", null, "tcp", ports.length == 1 ? ports[0]
                : java.util.Arrays.stream(ports).boxed().toList(), null, null, null, null, dst);
        return new RuleSpec(any.direction(), any.family(), any.protocol(), any.dports(), any.sports(), any.iif(),
                any.oif(), any.src(), any.dst(), true, any.comment());
    }

    /** UDP to one port, both directions, both families: the rule the real-kernel tests use. */
    static NotrackRule udp(String id, int port) {
        return rule(id, spec(null, null, "udp", port, null, null, null, null, null));
    }
}
