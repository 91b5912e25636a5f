package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.springframework.stereotype.Component;

import io.ctagent.hostagent.CommandResult;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Tool;
import io.ctagent.problem.OperatorProblem;

/**
 * Reads everybody else's rules in a namespace, read-only: NOTRACK rules (for ?include=foreign)
 * and NAT rules (for overlap warnings). nft shows native tables; iptables and ip6tables show
 * their own (legacy, or the nft tables iptables-nft manages, which nft therefore skips).
 */
@Component
class NamespaceRules {

    private final HostAgent host;
    private final IptablesTables tables;

    NamespaceRules(HostAgent host, IptablesTables tables) {
        this.host = host;
        this.tables = tables;
    }

    /**
     * What was found, and what could not be read (as warnings; a survey never fails a request).
     */
    record Survey(List<ForeignRule> foreignNotrack, List<NatRule> nat, List<String> problems) {
    }

    Survey survey(NetnsTarget netns) {
        List<ForeignRule> foreign = new ArrayList<>();
        List<NatRule> nat = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (host.tools().find(Tool.NFT).isPresent()) {
            read(netns, Tool.NFT, List.of("-a", "list", "ruleset"), problems).ifPresent(result -> {
                List<NftRuleset.Rule> rules = NftRuleset.rules(result.stdout());
                Set<String> managed = NftRuleset.managedByIptables(result.stdout(), result.stderr());
                foreign.addAll(NftRuleset.foreignNotrack(rules, managed));
                nat.addAll(NatRule.fromNft(rules, managed));
            });
        }
        for (Tool tool : List.of(Tool.IPTABLES, Tool.IP6TABLES)) {
            if (host.tools().find(tool).isEmpty()) {
                continue;
            }
            if (tables.mayList(netns, tool, "raw")) {
                read(netns, tool, IptablesRules.listRaw(), problems).ifPresent(result ->
                        foreign.addAll(IptablesListing.foreignNotrack(result.stdout(), tool.binary())));
            }
            if (tables.mayList(netns, tool, "nat")) {
                read(netns, tool, IptablesRules.listNat(), problems).ifPresent(result ->
                        nat.addAll(NatRule.fromIptables(result.stdout(), tool.binary())));
            }
        }
        return new Survey(foreign, nat, problems);
    }

    /**
     * Whether the namespace's filter rules (nft, and iptables/ip6tables filter) would drop untracked
     * packets to or from these ports; a rule set that cannot be read counts as a refusal.
     */
    Optional<LifelineSafety.Refusal> untrackedDropped(NetnsTarget netns, Ports ports) {
        List<String> problems = new ArrayList<>();
        Optional<LifelineSafety.Refusal> refusal = Optional.empty();
        if (host.tools().find(Tool.NFT).isPresent()) {
            Optional<CommandResult> ruleset = read(netns, Tool.NFT, List.of("-a", "list", "ruleset"), problems);
            if (ruleset.isPresent()) {
                refusal = LifelineSafety.nft(ruleset.get().stdout(),
                        NftRuleset.managedByIptables(ruleset.get().stdout(), ruleset.get().stderr()), ports);
            }
        }
        for (Tool tool : List.of(Tool.IPTABLES, Tool.IP6TABLES)) {
            if (refusal.isPresent() || host.tools().find(tool).isEmpty() || !tables.mayList(netns, tool, "filter")) {
                continue;
            }
            Optional<CommandResult> listing = read(netns, tool, List.of("-w", "5", "-t", "filter", "-v", "-S"),
                    problems);
            if (listing.isPresent()) {
                refusal = LifelineSafety.iptables(listing.get().stdout(), tool.binary(), ports);
            }
        }
        if (refusal.isEmpty() && !problems.isEmpty()) {
            return Optional.of(new LifelineSafety.Refusal("the filter rules could not be read, so it is unknown "
                    + "whether they would drop untracked packets: " + String.join("; ", problems), null));
        }
        return refusal;
    }

    private Optional<CommandResult> read(NetnsTarget netns, Tool tool, List<String> args,
                                                   List<String> problems) {
        try {
            CommandResult result = host.run(netns, tool, args);
            if (result.succeeded()) {
                return Optional.of(result);
            }
            problems.add("could not read other rules with " + tool.binary() + " " + String.join(" ", args) + ": "
                    + result.stderr().strip());
        } catch (OperatorProblem problem) {
            problems.add("could not read other rules with " + tool.binary() + ": " + problem.getBody().getDetail());
        }
        return Optional.empty();
    }
}
