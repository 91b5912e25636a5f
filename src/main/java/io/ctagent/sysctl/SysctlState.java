package io.ctagent.sysctl;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.sysctl.SysctlConf.Assignment;

/**
 * What a sysctl or hashsize change starts from or ends in, as its audit records keep it in
 * {@code before} and {@code after}. Rollback reads it back from the outcome record.
 *
 * @param netns the namespace, or null for the agent's own
 * @param values the running values by key
 * @param dropIn for a change that persists: each key's value in the managed drop-in, null when the
 *               drop-in does not set it; null altogether when the change does not persist
 */
public record SysctlState(String netns, Map<String, Long> values, Map<String, Long> dropIn) {

    public static SysctlState of(NetnsTarget netns, Map<SysctlKey, Long> values, Map<String, Long> dropIn) {
        return new SysctlState(netns.name().orElse(null), byName(values), dropIn);
    }

    /** An audit target: the keys, prefixed with {@code netns:NAME/} for a named namespace. */
    public static String target(NetnsTarget netns, Collection<SysctlKey> keys) {
        String names = String.join(",", keys.stream().map(SysctlKey::name).toList());
        return netns.name().map(name -> "netns:" + name + "/" + names).orElse(names);
    }

    /** Each key's value in a managed drop-in's content (null when it does not set the key). */
    public static Map<String, Long> dropIn(String content, Collection<SysctlKey> keys) {
        List<Assignment> assignments = SysctlConf.parse(content);
        Map<String, Long> values = new LinkedHashMap<>();
        for (SysctlKey key : keys) {
            Assignment last = SysctlConf.lastFor(assignments, key);
            values.put(key.name(), last == null ? null : number(last.value()));
        }
        return values;
    }

    public static Map<String, Long> byName(Map<SysctlKey, Long> values) {
        Map<String, Long> named = new LinkedHashMap<>();
        values.forEach((key, value) -> named.put(key.name(), value));
        return named;
    }

    private static Long number(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
