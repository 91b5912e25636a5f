package io.ctagent.entries;

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
 * table), and needs what {"all": true} needs: the admin role and X-Confirm: flush-all.
 */
@Component
public class FlushGuard {

    private final EntryService entries;
    private final FlushProperties limits;

    FlushGuard(EntryService entries, FlushProperties limits) {
        this.entries = entries;
        this.limits = limits;
    }

    /** What the filter matches and what the table holds, counted in the same pass. */
    FlushShare measure(NetnsTarget netns, EntryFilter filter) {
        return entries.share(netns, filter);
    }

    /**
     * Whether the real delete needs the confirmation. A dry run only learns the answer; a delete that
     * needs it and lacks the admin role or the header is refused with 409 and deletes nothing.
     */
    boolean check(FlushShare share, String confirm, boolean dryRun) {
        Optional<String> why = share.needsConfirmation(limits.confirmShare(), limits.confirmCount());
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

    /** The dry run's note when the real call would need the confirmation. */
    static String previewWarning(FlushShare share) {
        return "The real delete would remove " + share.matched() + " of " + share.total() + " entries ("
                + share.percent() + " %): it needs the admin role and the header " + FlushService.CONFIRM_HEADER
                + ": " + FlushService.CONFIRM_ALL + ", like a whole-table flush.";
    }
}
