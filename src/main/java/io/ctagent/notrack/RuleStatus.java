package io.ctagent.notrack;

import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import io.swagger.v3.oas.annotations.media.Schema;

import io.ctagent.net.Cidr;

/**
 * An owned NOTRACK rule as the API shows it: what it matches, whether the kernel has it, and
 * how much traffic it has exempted.
 *
 * @param id the rule id; the kernel comment is "ctagent:&lt;id&gt;"
 * @param netns the namespace, null for the agent's own
 * @param inStateFile whether the state file holds the rule: false for a dry run's planned rule, and for a
 *        tagged rule the kernel has but the state file does not (left over)
 * @param inKernel whether every copy of the rule is in the kernel; null when the kernel could not be read
 * @param packets packets exempted so far, summed over the rule's copies
 * @param bytes bytes exempted so far
 * @param kernel each copy found in the kernel, with where it is and its counters
 * @param system true for the agent's own lifeline (id lifeline): kept by the agent, turned off only by
 *        ctagent.lifeline.enabled=false
 */
public record RuleStatus(
        String id, @Nullable String netns, Direction direction, IpFamily family, @Nullable Protocol protocol,
        @Schema(example = "53,5353") @Nullable String dports, @Nullable String sports, @Nullable String iif,
        @Nullable String oif, @Nullable String src, @Nullable String dst, @Nullable String comment,
        @Nullable Instant createdAt, boolean inStateFile, @Nullable Boolean inKernel, long packets, long bytes,
        List<KernelRule> kernel, boolean system) {

    /** A desired rule; {@code now} null when the kernel could not be read. */
    static RuleStatus of(NotrackRule rule, String netns, KernelState now, Set<String> locations) {
        RuleSpec spec = rule.spec();
        List<KernelRule> copies = now == null ? List.of() : now.copiesOf(rule.id());
        Boolean inKernel = now == null ? null : now.locationsOf(rule.id()).containsAll(locations);
        return new RuleStatus(rule.id(), netns, spec.direction(), spec.family(), spec.protocol(), text(spec.dports()),
                text(spec.sports()), spec.iif(), spec.oif(), text(spec.src()), text(spec.dst()), spec.comment(),
                rule.createdAt(), true, inKernel, copies.stream().mapToLong(KernelRule::packets).sum(),
                copies.stream().mapToLong(KernelRule::bytes).sum(), copies, false);
    }

    /** Tagged copies in the agent's table or chains that no desired rule accounts for. */
    static RuleStatus leftOver(String id, String netns, List<KernelRule> copies) {
        return new RuleStatus(id, netns, null, null, null, null, null, null, null, null, null, null, null, false,
                true, copies.stream().mapToLong(KernelRule::packets).sum(),
                copies.stream().mapToLong(KernelRule::bytes).sum(), copies, false);
    }

    /** The same rule as planned by a dry run: not in the state file. */
    RuleStatus planned() {
        return new RuleStatus(id, netns, direction, family, protocol, dports, sports, iif, oif, src, dst, comment,
                createdAt, false, inKernel, packets, bytes, kernel, system);
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    /** A network as NOTRACK rules have always shown it: network/prefix, even for a single host. */
    private static String text(Cidr value) {
        return value == null ? null : value.withPrefix();
    }
}
