package io.ctagent.notrack;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the kernel holds of the agent's own rules in one namespace.
 *
 * @param owned every tagged rule copy in the agent's table or chains
 * @param structure the agent's chains and jump rules that exist (backend-specific names)
 * @param localDst the copies in {@code owned} that match only packets addressed to this host
 *        ({@link RuleSpec#localDst()}), so a copy without that match is not taken for one with it
 */
record KernelState(List<KernelRule> owned, Set<String> structure, Set<KernelRule> localDst) {

    static final KernelState EMPTY = new KernelState(List.of(), Set.of());

    KernelState(List<KernelRule> owned, Set<String> structure) {
        this(owned, structure, Set.of());
    }

    List<KernelRule> copiesOf(String id) {
        return owned.stream().filter(copy -> copy.id().equals(id)).toList();
    }

    Set<String> locationsOf(String id) {
        return owned.stream().filter(copy -> copy.id().equals(id)).map(KernelRule::location)
                .collect(Collectors.toSet());
    }
}
