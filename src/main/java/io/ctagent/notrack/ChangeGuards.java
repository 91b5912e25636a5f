package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.problem.InvalidInput;
import io.ctagent.problem.OperatorProblem;

/**
 * What stands between a valid request and the kernel: the force-and-admin guard on broad rules
 * (match-all, {@link RuleBreadth}, {@link RuleSetCoverage}), and warnings about NAT rules the new
 * rule would starve. (The agent's mode is the change pipeline's step, io.ctagent.change.ChangePipeline.)
 */
@Component
class ChangeGuards {

    static final String MATCHES_ALL_WARNING = "This rule exempts ALL traffic of its family and direction from "
            + "connection tracking: NAT (DNAT, SNAT, masquerade) and stateful filtering (ct state, --ctstate "
            + "ESTABLISHED/RELATED) stop working for it, and replies are no longer recognised.";
    private static final int NAT_RULES_QUOTED = 3;

    private final HostAgent host;
    private final NamespaceRules others;
    private final NotrackState state;
    private final RuleBreadth breadth;
    private final RuleSetCoverage coverage;
    private final int maxRules;

    ChangeGuards(HostAgent host, NamespaceRules others, NotrackState state, BreadthProperties limits) {
        this.host = host;
        this.others = others;
        this.state = state;
        this.breadth = limits.breadth();
        this.coverage = new RuleSetCoverage(breadth);
        this.maxRules = limits.maxRules();
    }

    /**
     * A broad rule needs force and the admin role; the answer carries a warning. Broad: matching all
     * traffic, too broad by itself ({@link RuleBreadth}), or exempting, with the namespace's other agent
     * rules, more than one field's allowance or a whole protocol or family ({@link RuleSetCoverage}). Run as
     * the change pipeline's guard step, under the mutation lock, so that two halves sent at once are judged
     * one after the other.
     */
    List<String> broad(NetnsTarget netns, RuleSpec spec, boolean force, boolean callerIsAdmin) {
        String measure = spec.matchesAllTraffic() ? "match-all" : "breadth";
        Optional<String> why = spec.matchesAllTraffic() ? Optional.of("This rule has no protocol, port, address or "
                + "interface, so it would exempt all traffic from connection tracking and break NAT and stateful "
                + "filtering. Narrow it.") : breadth.broad(spec);
        if (why.isEmpty()) {
            why = coverage.covered(spec, state.rules(netns));
            measure = "set-coverage";
        }
        if (why.isEmpty() && state.rules(netns).size() >= maxRules) {
            why = Optional.of("Rule count: this namespace holds " + state.rules(netns).size() + " agent rules, the "
                    + "most ctagent.notrack.max-rules allows without force. Rules narrowed by more than one field do "
                    + "not add up in the set coverage, so enough of them could still exempt a whole protocol. Delete "
                    + "rules that are no longer needed.");
            measure = "rule-count";
        }
        if (why.isEmpty()) {
            return List.of();
        }
        if (!force) {
            throw new InvalidInput("force", why.get() + " Or send force: true (admin role required).")
                    .with("measure", measure);
        }
        if (!callerIsAdmin) {
            throw new OperatorProblem(HttpStatus.FORBIDDEN, "admin-required", "Admin role required",
                    "A broad NOTRACK rule needs the admin role, even with force. " + why.get())
                    .with("measure", measure);
        }
        return List.of(spec.matchesAllTraffic() ? MATCHES_ALL_WARNING : "Forced past a guard: " + why.get());
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
