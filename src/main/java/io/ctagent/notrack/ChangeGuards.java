package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.problem.InvalidInput;
import io.ctagent.problem.OperatorProblem;

/**
 * What stands between a valid request and the kernel: the force-and-admin guard on match-all
 * rules, and warnings about NAT rules the new rule would starve. (The agent's mode is the change
 * pipeline's step, io.ctagent.change.ChangePipeline.)
 */
@Component
class ChangeGuards {

    static final String MATCHES_ALL_WARNING = "This rule exempts ALL traffic of its family and direction from "
            + "connection tracking: NAT (DNAT, SNAT, masquerade) and stateful filtering (ct state, --ctstate "
            + "ESTABLISHED/RELATED) stop working for it, and replies are no longer recognised.";
    private static final int NAT_RULES_QUOTED = 3;

    private final HostAgent host;
    private final NamespaceRules others;

    ChangeGuards(HostAgent host, NamespaceRules others) {
        this.host = host;
        this.others = others;
    }

    /** A rule matching all traffic needs force and the admin role; the answer carries a warning. */
    List<String> matchAll(RuleSpec spec, boolean force, boolean callerIsAdmin) {
        if (!spec.matchesAllTraffic()) {
            return List.of();
        }
        if (!force) {
            throw new InvalidInput("force", "This rule has no protocol, port, address or interface, so it would "
                    + "exempt all traffic from connection tracking and break NAT and stateful filtering. Narrow it, "
                    + "or send force: true (admin role required).");
        }
        if (!callerIsAdmin) {
            throw new OperatorProblem(HttpStatus.FORBIDDEN, "admin-required", "Admin role required",
                    "A NOTRACK rule that matches all traffic needs the admin role, even with force.");
        }
        return List.of(MATCHES_ALL_WARNING);
    }

    /** Warns about NAT rules in the namespace that may see this traffic: untracked packets are never NATed. */
    List<String> natOverlaps(NetnsTarget netns, RuleSpec spec) {
        NamespaceRules.Survey survey = others.survey(netns);
        List<String> warnings = new ArrayList<>(survey.problems());
        List<NatRule> overlapping = survey.nat().stream().filter(nat -> nat.overlaps(spec)).toList();
        if (!overlapping.isEmpty()) {
            String quoted = overlapping.stream().limit(NAT_RULES_QUOTED)
                    .map(nat -> nat.location() + ": " + nat.rule()).collect(Collectors.joining("; "));
            warnings.add(overlapping.size() + " NAT rule(s) in this namespace may match this traffic, and untracked "
                    + "packets are never NATed: " + quoted + (overlapping.size() > NAT_RULES_QUOTED ? "; ..." : ""));
        }
        return warnings;
    }
}
