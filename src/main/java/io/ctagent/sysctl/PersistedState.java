package io.ctagent.sysctl;

import java.util.List;

/**
 * Where a key's boot value comes from.
 *
 * @param value the value {@code sysctl --system} leaves at boot (the last file that sets it), or null
 * @param file the host path of that file, or null
 * @param managedValue the value in the agent's managed drop-in, or null when it does not set the key
 * @param warnings why the running or managed value would not survive a reboot
 */
public record PersistedState(Long value, String file, Long managedValue, List<String> warnings) {

    static final PersistedState NONE = new PersistedState(null, null, null, List.of());
}
