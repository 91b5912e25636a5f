package io.ctagent.entries;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.ctagent.problem.ConfigChecks;

/**
 * When a filtered delete counts as a flush of the table: above either limit it needs the admin role
 * and the header X-Confirm: flush-all, like {"all": true}, however its filter is written.
 *
 * @param confirmShare the share of the table (0 to 1) a filter may match without confirmation; more
 *                     needs it, exactly this share does not
 * @param confirmCount the number of entries a filter may match without confirmation; unset: no limit
 * @param window       deletes without confirmation in one namespace within this time add up: the
 *                     limits hold for their sum, so a table cannot be drained in slices
 */
@ConfigurationProperties("ctagent.entries.flush")
public record FlushProperties(@DefaultValue("0.5") double confirmShare, Long confirmCount,
                              @DefaultValue("10m") Duration window) {

    public FlushProperties {
        ConfigChecks.check(confirmShare > 0 && confirmShare <= 1, "ctagent.entries.flush.confirm-share",
                "must be a share of the table greater than 0 and at most 1, like 0.5");
        ConfigChecks.check(confirmCount == null || confirmCount >= 1, "ctagent.entries.flush.confirm-count",
                "must be at least 1 entry, or unset for no limit");
        ConfigChecks.check(window != null && !window.isNegative(), "ctagent.entries.flush.window",
                "must be a duration of 0 or more, like 10m (0: each delete is judged alone)");
    }
}
