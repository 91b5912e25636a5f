package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.ctagent.hostagent.CommandResult;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Tool;

/** NOTRACK rules in the agent's own table `inet conntrack_agent`, changed by one `nft -f -` transaction each. */
class NftablesBackend implements NotrackBackend {

    private final HostAgent host;

    NftablesBackend(HostAgent host) {
        this.host = host;
    }

    @Override
    public String name() {
        return "nftables";
    }

    @Override
    public KernelState read(NetnsTarget netns) {
        CommandResult result = host.run(netns, Tool.NFT, List.of("-j", "list", "table", "inet", NftScript.TABLE));
        if (!result.succeeded()) {
            // No table yet (first rule, reboot, flush ruleset): nothing of ours is there.
            if (result.stderr().contains("No such file or directory")) {
                return KernelState.EMPTY;
            }
            throw host.commandFailed(result, "listing table " + NftScript.TABLE_REF);
        }
        return NftJson.owned(result.stdout());
    }

    @Override
    public Set<String> locations(RuleSpec spec) {
        Set<String> locations = new LinkedHashSet<>();
        for (Hook hook : spec.hooks()) {
            locations.add(NftScript.location(hook));
        }
        return locations;
    }

    @Override
    public List<HostCommand> planAdd(List<NotrackRule> rules, KernelState now) {
        List<Placement> missing = new ArrayList<>();
        for (NotrackRule rule : rules) {
            Set<String> present = now.locationsOf(rule.id());
            for (Hook hook : rule.spec().hooks()) {
                if (!present.contains(NftScript.location(hook))) {
                    missing.add(new Placement(rule, hook));
                }
            }
        }
        if (missing.isEmpty()) {
            return List.of();
        }
        return List.of(new HostCommand(Tool.NFT, List.of("-f", "-"), NftScript.add(missing)));
    }

    @Override
    public List<HostCommand> planRemove(String id, KernelState now) {
        List<KernelRule> copies = now.copiesOf(id);
        if (copies.isEmpty()) {
            return List.of();
        }
        return List.of(new HostCommand(Tool.NFT, List.of("-f", "-"), NftScript.delete(copies)));
    }
}
