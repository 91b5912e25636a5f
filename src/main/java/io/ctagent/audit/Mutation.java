package io.ctagent.audit;

import java.util.Map;
import java.util.function.Supplier;

/**
 * One change to the host, described for {@link MutationGate}. Validate the input before building
 * it: by then every value must be typed and in range.
 *
 * @param action what it is, e.g. {@code sysctl.set}
 * @param target what it changes, e.g. {@code net.netfilter.nf_conntrack_max}
 * @param params what the caller asked for, recorded in the intent (no secrets)
 * @param dryRun the caller asked for a dry run (the gate also dry-runs in host mode DRY_RUN)
 * @param read reads the current state; called before and after the change
 * @param change applies the change through HostAgent, or in a dry run only plans it
 * @param <S> the state read before and after, e.g. a Long for a sysctl value
 */
public record Mutation<S>(String action, String target, Map<String, ?> params, boolean dryRun, Supplier<S> read,
                          Change<S> change) {

    @FunctionalInterface
    public interface Change<S> {
        /**
         * @param before the state read under the gate's lock, after the intent was written
         * @param dryRun true when nothing may be done: add planned commands to the trail instead
         * @param trail where every command run or planned goes
         */
        void apply(S before, boolean dryRun, CommandTrail trail);
    }
}
