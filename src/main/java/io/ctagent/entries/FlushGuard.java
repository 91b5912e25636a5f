package io.ctagent.entries;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.problem.OperatorProblem;
import io.ctagent.security.Callers;
import io.ctagent.security.Role;

/**
 * The flush guard, judged by effect: a filtered delete that would remove more than
 * ctagent.entries.flush.confirm-share of the table (or more than confirm-count entries) is a flush,
 * whatever its filter looks like (mark 0/0, a family, a zone, a /0, 127.0.0.0/8 on a loopback-only
 * table), and needs what {"all": true} needs: the admin role and X-Confirm: flush-all. Deletes made
 * without that confirmation in one namespace within ctagent.entries.flush.window add up, so the limits
 * hold for their sum: halving the table again and again is a flush too.
 */
@Component
public class FlushGuard {

    private final EntryService entries;
    private final FlushProperties limits;
    private final Clock clock;
    /** Per namespace, the deletes without confirmation still inside the window: when, and how many. */
    private final Map<NetnsTarget, Deque<long[]>> recent = new HashMap<>();

    FlushGuard(EntryService entries, FlushProperties limits, Clock clock) {
        this.entries = entries;
        this.limits = limits;
        this.clock = clock;
    }

    /** What the filter matches and what the table holds, counted in the same pass. */
    FlushShare measure(NetnsTarget netns, EntryFilter filter) {
        return entries.share(netns, filter);
    }

    /**
     * Whether the real delete needs the confirmation. A dry run only learns the answer; a delete that
     * needs it and lacks the admin role or the header is refused with 409 and deletes nothing.
     */
    boolean check(NetnsTarget netns, FlushShare share, String confirm, boolean dryRun) {
        long before = recentlyDeleted(netns);
        // The entries deleted in the window count as if they were still there and matched again.
        FlushShare together = new FlushShare(share.matched() + before, share.total() + before);
        Optional<String> why = together.needsConfirmation(limits.confirmShare(), limits.confirmCount())
                .map(reason -> before == 0 ? reason : reason + ", counting the " + before + " entries deleted from "
                        + "this namespace without confirmation in the last " + limits.window().toMinutes() + " min "
                        + "(ctagent.entries.flush.window)");
        if (why.isEmpty()) {
            return false;
        }
        if (dryRun || Callers.has(Role.ADMIN) && FlushService.CONFIRM_ALL.equals(confirm)) {
            return true;
        }
        Map<String, String> send = new LinkedHashMap<>();
        send.put("role", "admin");
        send.put(FlushService.CONFIRM_HEADER, FlushService.CONFIRM_ALL);
        throw new OperatorProblem(HttpStatus.CONFLICT, "flush-needs-confirmation", "This delete is a flush",
                "Refused: " + why.get() + ". Nothing was deleted. A delete this large drops connections and NAT "
                        + "mappings like conntrack -F: send it with an admin key and the header "
                        + FlushService.CONFIRM_HEADER + ": " + FlushService.CONFIRM_ALL + ", or narrow the filter "
                        + "(dryRun: true shows what it matches).")
                .with("matched", share.matched()).with("total", share.total()).with("share", share.share())
                .with("confirmShare", limits.confirmShare()).with("confirmCount", limits.confirmCount())
                .with("send", send);
    }

    /** Counts a delete made without the confirmation against its namespace's window. */
    void deleted(NetnsTarget netns, long count) {
        if (count <= 0 || limits.window().isZero()) {
            return;
        }
        synchronized (recent) {
            recent.computeIfAbsent(netns, key -> new ArrayDeque<>()).add(new long[] {clock.millis(), count});
        }
    }

    private long recentlyDeleted(NetnsTarget netns) {
        long since = clock.millis() - limits.window().toMillis();
        synchronized (recent) {
            Deque<long[]> deletes = recent.getOrDefault(netns, new ArrayDeque<>());
            while (!deletes.isEmpty() && deletes.peekFirst()[0] <= since) {
                deletes.pollFirst();
            }
            if (deletes.isEmpty()) {
                recent.remove(netns);
            }
            return deletes.stream().mapToLong(delete -> delete[1]).sum();
        }
    }

    /** The dry run's note when the real call would need the confirmation. */
    static String previewWarning(FlushShare share) {
        return "The real delete would remove " + share.matched() + " of " + share.total() + " entries ("
                + share.percent() + " %): it needs the admin role and the header " + FlushService.CONFIRM_HEADER
                + ": " + FlushService.CONFIRM_ALL + ", like a whole-table flush.";
    }
}
