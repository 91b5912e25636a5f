package io.ctagent.sysctl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import io.ctagent.change.ChangeSteps;
import io.ctagent.hostagent.HostWrite;
import io.ctagent.hostagent.HostWriter;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.sysctl.SysctlGuards.Requested;

/**
 * One change being applied: writes keys in order, reads each back, and on a failure puts back
 * what it had applied, last first. Keeps the steps run (for the response and the audit) and the
 * warnings.
 */
final class ChangeRun {

    /** The kernel rounds a hash table up to a page of buckets (64 KiB pages: 8192 buckets). */
    private static final long BUCKET_ROUNDING = 8192;

    private final HostWriter writer;
    private final SysctlReader reader;
    private final NetnsTarget netns;
    private final Map<SysctlKey, Long> before;
    private final Deque<Requested> applied = new ArrayDeque<>();
    private final ChangeSteps steps = new ChangeSteps();
    private final List<String> warnings = new ArrayList<>();
    private WriteFailure failure;

    ChangeRun(HostWriter writer, SysctlReader reader, NetnsTarget netns, Map<SysctlKey, Long> before) {
        this.writer = writer;
        this.reader = reader;
        this.netns = netns;
        this.before = before;
    }

    /** Writes one key and reads it back; false when that failed (then call {@link #restore()}). */
    boolean apply(Requested change) {
        String what = change.key() + " = " + change.value();
        HostWrite write = steps.add(writer.writeSysctl(netns, change.key().name(), change.value()));
        if (!write.succeeded()) {
            failure = WriteFailure.of(what, write);
            return false;
        }
        applied.push(change);
        Long found = reader.values(netns, List.of(change.key())).get(change.key());
        if (!accepted(change, found)) {
            failure = WriteFailure.readBack(change.key().name(), change.value(), found);
            return false;
        }
        if (found != change.value()) {
            warnings.add("The kernel rounded " + change.key() + " from " + change.value() + " up to " + found
                    + " (a whole page of buckets).");
        }
        return true;
    }

    /** Writes the managed drop-in; false when that failed. */
    boolean persist(SysctlPersistence persistence, PersistPlan plan) {
        HostWrite write = steps.add(persistence.write(plan));
        if (!write.succeeded()) {
            failure = WriteFailure.of(plan.path(), write);
            return false;
        }
        return true;
    }

    /** Puts back every key applied so far, last first; a key that cannot be put back is a warning. */
    void restore() {
        while (!applied.isEmpty()) {
            SysctlKey key = applied.pop().key();
            long old = before.get(key);
            HostWrite write = steps.add(writer.writeSysctl(netns, key.name(), old));
            if (write.succeeded()) {
                warnings.add("Restored " + key + " to " + old + ".");
            } else {
                warnings.add("Could not restore " + key + " to " + old + ": " + write.message() + ". Set it by hand.");
            }
        }
    }

    /** Every step run so far, restores included. */
    ChangeSteps steps() {
        return steps;
    }

    List<String> warnings() {
        return warnings;
    }

    WriteFailure failure() {
        return failure;
    }

    private static boolean accepted(Requested change, Long found) {
        if (found == null) {
            return false;
        }
        if (change.key().equals(SysctlKey.BUCKETS)) {
            return found >= change.value() && found - change.value() < BUCKET_ROUNDING;
        }
        return found == change.value();
    }
}
