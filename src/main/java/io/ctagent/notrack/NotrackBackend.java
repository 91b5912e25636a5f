package io.ctagent.notrack;

import java.util.List;
import java.util.Set;

import io.ctagent.hostagent.NetnsTarget;

/**
 * A way to put NOTRACK rules into the kernel. Implementations only ever change their own table
 * or chains, and plans are rendered by pure functions so a dry run shows exactly what would run.
 */
interface NotrackBackend {

    /** nftables or iptables. */
    String name();

    /** The agent's rule copies (with counters) and structure in the namespace. */
    KernelState read(NetnsTarget netns);

    /** Where every copy of a rule with this spec must be for the rule to be in force. */
    Set<String> locations(RuleSpec spec);

    /** Commands that add what is missing of these rules, with the table or chains they need. */
    List<HostCommand> planAdd(List<NotrackRule> rules, KernelState now);

    /** Commands that delete every copy of the rule tagged with this id, and nothing else. */
    List<HostCommand> planRemove(String id, KernelState now);
}
