package io.ctagent.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Real-kernel tests need root and host tools. Without them they skip with the reason,
 * except on CI (CI=true), where a missing prerequisite is a failure.
 */
public final class HostPrerequisites {

    private HostPrerequisites() {
    }

    public static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Requires uid 0 on Linux and each named binary under /usr/sbin, /usr/bin, /sbin or /bin. */
    public static void require(String... binaries) {
        check(System.getProperty("os.name").toLowerCase().contains("linux"), "not Linux");
        check(isRoot(), "not running as root");
        for (String binary : binaries) {
            check(which(binary) != null, binary + " is not installed (scripts/setup-test-host.sh installs it)");
        }
    }

    /**
     * Requires Linux and a browser binary (scripts/install-browser.sh installs Debian's chromium).
     * The agent under test reads the real /proc, so the conntrack module must be loaded too.
     */
    public static void requireBrowser(String binary) {
        check(System.getProperty("os.name").toLowerCase().contains("linux"), "not Linux");
        check(which(binary) != null, binary + " is not installed (scripts/install-browser.sh installs it)");
        check(Files.exists(Path.of("/proc/sys/net/netfilter/nf_conntrack_count")),
                "the nf_conntrack module is not loaded");
    }

    public static String which(String binary) {
        for (String dir : new String[] {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
            Path candidate = Path.of(dir, binary);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .anyMatch(line -> line.split("\\s+")[2].equals("0"));
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * A condition of the host the test needs (e.g. no other namespace fuller than the lab): skipped with the
     * reason, except with CI=true, where it fails like a missing tool.
     */
    public static void requireHost(boolean condition, String reason) {
        check(condition, reason);
    }

    private static void check(boolean condition, String reason) {
        if (condition) {
            return;
        }
        if (onCi()) {
            Assertions.fail("CI=true but a real-kernel prerequisite is missing: " + reason);
        }
        Assumptions.assumeTrue(false, "skipped: " + reason);
    }
}
