package io.ctagent.sysctl;

import java.util.List;

/**
 * A planned rewrite of a managed file: the content before and after, and the steps that write it.
 *
 * @param path the host path, e.g. /etc/sysctl.d/90-conntrack-agent.conf
 * @param relative the same path relative to the rootfs
 */
public record PersistPlan(String path, String relative, String before, String after, List<List<String>> commands) {

    public boolean changes() {
        return !before.equals(after);
    }
}
