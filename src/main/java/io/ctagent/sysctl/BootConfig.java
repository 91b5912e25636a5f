package io.ctagent.sysctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.ctagent.sysctl.SysctlConf.Assignment;

/**
 * The boot-time value of a key from the files in {@link BootOrder}, and the warnings an operator
 * needs: a later file that overrides the managed drop-in, a masked drop-in, a running value that
 * a reboot would undo. Pure: the files are read by {@link SysctlPersistence}.
 */
final class BootConfig {

    /** One configuration file in boot order: its host path and assignments. */
    record ConfFile(String path, List<Assignment> assignments) {
    }

    private BootConfig() {
    }

    /**
     * @param ordered the files in the order they are applied
     * @param managed the host path of the managed drop-in
     * @param maskedBy a file with the drop-in's name in a higher-priority directory, if any
     * @param runtime the running value, or null when not known (another namespace)
     */
    static PersistedState state(SysctlKey key, List<ConfFile> ordered, String managed, Optional<String> maskedBy,
                                Long runtime) {
        List<String> warnings = new ArrayList<>();
        Assignment effective = null;
        String effectiveFile = null;
        Assignment ours = null;
        int oursAt = -1;
        for (int i = 0; i < ordered.size(); i++) {
            ConfFile file = ordered.get(i);
            Assignment last = SysctlConf.lastFor(file.assignments(), key);
            if (file.path().equals(managed)) {
                ours = last;
                oursAt = i;
            }
            if (last != null) {
                effective = last;
                effectiveFile = file.path();
            }
        }
        maskedBy.ifPresent(other -> warnings.add(other + " has the same name as the managed drop-in " + managed
                + " in a directory that takes precedence, so sysctl --system never reads " + managed + "."));
        Long managedValue = ours == null ? null : parse(ours.value(), managed, key, warnings);
        if (ours != null) {
            for (int i = oursAt + 1; i < ordered.size(); i++) {
                Assignment later = SysctlConf.lastFor(ordered.get(i).assignments(), key);
                if (later != null && !later.value().equals(ours.value())) {
                    warnings.add(ordered.get(i).path() + " sets " + later.key() + " = " + later.value()
                            + " (line " + later.line() + ") and sysctl --system applies it after " + managed
                            + ", so " + key + " would be " + later.value() + " after a reboot, not " + ours.value()
                            + ". Remove that line or make it agree.");
                }
            }
        }
        Long value = effective == null ? null : effective == ours ? managedValue
                : parse(effective.value(), effectiveFile, key, warnings);
        if (runtime != null && value != null && !runtime.equals(value)) {
            warnings.add("The running value " + runtime + " differs from the boot value " + value + " set in "
                    + effectiveFile + ": a reboot would change " + key + " to " + value
                    + " unless the change is persisted.");
        }
        return new PersistedState(value, effectiveFile, managedValue, List.copyOf(warnings));
    }

    private static Long parse(String value, String file, SysctlKey key, List<String> warnings) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            warnings.add(file + " sets " + key + " to '" + SysctlKey.printable(value) + "', which is not a number; "
                    + "the kernel refuses it at boot.");
            return null;
        }
    }
}
