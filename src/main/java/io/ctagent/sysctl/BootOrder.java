package io.ctagent.sysctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The order in which {@code sysctl --system} and systemd-sysctl apply configuration files: every
 * *.conf of the directories below, one file per name (a name in an earlier directory masks the
 * same name further down), all sorted by file name whatever their directory, and
 * /etc/sysctl.conf last. A later file wins for a key both set. Kmod reads modprobe.d the same way.
 */
public final class BootOrder {

    /** By priority: /etc overrides /run, which overrides the vendor directories. */
    public static final List<String> SYSCTL_DIRS = List.of("etc/sysctl.d", "run/sysctl.d",
            "usr/local/lib/sysctl.d", "usr/lib/sysctl.d", "lib/sysctl.d");
    public static final String SYSCTL_CONF = "etc/sysctl.conf";
    public static final List<String> MODPROBE_DIRS = List.of("etc/modprobe.d", "run/modprobe.d",
            "usr/local/lib/modprobe.d", "lib/modprobe.d", "usr/lib/modprobe.d");

    private BootOrder() {
    }

    /** A configured host path made relative to the rootfs: /etc/x.conf becomes etc/x.conf. */
    public static String relative(String file) {
        String path = file.strip();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        return path;
    }

    /** Whether {@code file} is a *.conf file directly in one of {@code dirs}, the only files the boot reads. */
    public static boolean isConfFileIn(List<String> dirs, String file) {
        String path = relative(file);
        int slash = path.lastIndexOf('/');
        return slash > 0 && dirs.contains(path.substring(0, slash))
                && path.substring(slash + 1).matches("[A-Za-z0-9_.+-]+\\.conf") && !path.contains("..");
    }

    /** The rule {@link #isConfFileIn} checks, for a configuration error. */
    public static String confFileRule(List<String> dirs) {
        return "must be a *.conf file directly in /" + String.join(", /", dirs);
    }

    /**
     * Rootfs-relative paths in the order they are applied.
     *
     * @param dirs the directories by priority
     * @param namesByDir the *.conf names found in each directory
     * @param last a file applied after all others (/etc/sysctl.conf), if it exists
     */
    public static List<String> order(List<String> dirs, Map<String, List<String>> namesByDir, Optional<String> last) {
        TreeMap<String, String> byName = new TreeMap<>();
        for (String dir : dirs) {
            for (String name : namesByDir.getOrDefault(dir, List.of())) {
                byName.putIfAbsent(name, dir + "/" + name);
            }
        }
        List<String> order = new ArrayList<>(byName.values());
        last.ifPresent(order::add);
        return order;
    }

    /** The file that takes {@code file}'s name slot when a higher-priority directory has the same name. */
    public static Optional<String> maskedBy(List<String> dirs, Map<String, List<String>> namesByDir, String file) {
        int slash = file.lastIndexOf('/');
        String dir = file.substring(0, slash);
        String name = file.substring(slash + 1);
        for (String candidate : dirs) {
            if (candidate.equals(dir)) {
                return Optional.empty();
            }
            if (namesByDir.getOrDefault(candidate, List.of()).contains(name)) {
                return Optional.of(candidate + "/" + name);
            }
        }
        return Optional.empty();
    }
}
