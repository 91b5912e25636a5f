package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.ctagent.hostagent.CommandResult;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Tool;

/**
 * NOTRACK rules in the agent's own chains of the raw table, through iptables for IPv4 and
 * ip6tables for IPv6 (whichever variant, nft or legacy, the host's binaries are).
 */
class IptablesBackend implements NotrackBackend {

    private final HostAgent host;
    private final IptablesTables tables;

    IptablesBackend(HostAgent host, IptablesTables tables) {
        this.host = host;
        this.tables = tables;
    }

    @Override
    public String name() {
        return "iptables";
    }

    @Override
    public KernelState read(NetnsTarget netns) {
        List<KernelRule> owned = new ArrayList<>();
        Set<String> structure = new HashSet<>();
        Set<KernelRule> localDst = new HashSet<>();
        for (IpFamily family : IpFamily.BOTH.singles()) {
            Tool tool = tool(family);
            if (host.tools().find(tool).isEmpty() || !tables.mayList(netns, tool, "raw")) {
                continue;
            }
            CommandResult result = host.run(netns, tool, IptablesRules.listRaw());
            if (!result.succeeded()) {
                throw host.commandFailed(result, "listing the raw table");
            }
            KernelState state = IptablesListing.owned(result.stdout(), IptablesRules.binary(family));
            owned.addAll(state.owned());
            structure.addAll(state.structure());
            localDst.addAll(state.localDst());
        }
        return new KernelState(owned, structure, localDst);
    }

    @Override
    public Set<String> locations(RuleSpec spec) {
        Set<String> locations = new LinkedHashSet<>();
        for (IpFamily family : spec.family().singles()) {
            for (Hook hook : spec.hooks()) {
                locations.add(IptablesRules.location(family, hook));
            }
        }
        return locations;
    }

    @Override
    public List<HostCommand> planAdd(List<NotrackRule> rules, KernelState now) {
        List<HostCommand> plan = new ArrayList<>();
        Set<String> structure = new HashSet<>(now.structure());
        for (NotrackRule rule : rules) {
            Set<String> present = now.locationsOf(rule.id());
            for (IpFamily family : rule.spec().family().singles()) {
                String binary = IptablesRules.binary(family);
                for (Hook hook : rule.spec().hooks()) {
                    if (present.contains(IptablesRules.location(family, hook))) {
                        continue;
                    }
                    if (structure.add(IptablesListing.chainKey(binary, hook.ownChain()))) {
                        plan.add(HostCommand.of(tool(family), IptablesRules.createChain(hook)));
                    }
                    if (structure.add(IptablesListing.jumpKey(binary, hook.builtinChain()))) {
                        plan.add(HostCommand.of(tool(family), IptablesRules.jump(hook)));
                    }
                    plan.add(HostCommand.of(tool(family), IptablesRules.append(rule.spec(), hook, rule.tag())));
                }
            }
        }
        return plan;
    }

    @Override
    public List<HostCommand> planRemove(String id, KernelState now) {
        // Highest rule number first, so the numbers still to delete stay valid.
        return now.copiesOf(id).stream()
                .sorted(Comparator.comparing(KernelRule::location).thenComparing(KernelRule::handle,
                        Comparator.reverseOrder()))
                .map(copy -> {
                    String[] where = copy.location().split(" ");
                    Tool tool = where[0].equals("ip6tables") ? Tool.IP6TABLES : Tool.IPTABLES;
                    return HostCommand.of(tool, IptablesRules.deleteAt(where[2], copy.handle()));
                })
                .toList();
    }

    private static Tool tool(IpFamily family) {
        return family == IpFamily.IPV6 ? Tool.IP6TABLES : Tool.IPTABLES;
    }
}
