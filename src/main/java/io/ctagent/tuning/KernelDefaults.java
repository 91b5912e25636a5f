package io.ctagent.tuning;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's own sizing rule (nf_conntrack_init_start) when no hashsize is given, as arithmetic:
 * <ul>
 * <li>Linux 5.15 and later: buckets = RAM / 16384 / 8 bytes, at least 1024, fixed at 65536 above 1 GiB
 * and 262144 above 4 GiB on 64-bit; max = buckets (chains of 2 at a full table).</li>
 * <li>Earlier: the same RAM share, at least 32, fixed at 16384 above 1 GiB and 65536 above 4 GiB;
 * max = 4 x buckets (chains of 8).</li>
 * </ul>
 */
final class KernelDefaults {

    static final long GIB = 1L << 30;
    private static final Pattern RELEASE = Pattern.compile("^(\\d+)\\.(\\d+)");

    private KernelDefaults() {
    }

    /**
     * @param rule the rule in words
     * @param modern whether the 5.15+ rule applies
     */
    record Rule(long buckets, long max, boolean modern, String rule) {
    }

    static Rule forHost(long memTotalBytes, String kernelRelease) {
        boolean modern = isModern(kernelRelease);
        long share = memTotalBytes / 16384 / 8;
        String ram = String.format("%.1f GiB", (double) memTotalBytes / GIB);
        if (modern) {
            long buckets = memTotalBytes > 4 * GIB ? 262144 : memTotalBytes > GIB ? 65536 : Math.max(1024, share);
            return new Rule(buckets, buckets, true, "Linux " + release(kernelRelease) + " (5.15 or later) with "
                    + ram + " sizes the table itself: " + (memTotalBytes > GIB ? "fixed at " + buckets
                    + " buckets above " + (memTotalBytes > 4 * GIB ? "4" : "1") + " GiB"
                    : "MemTotal / 16384 / 8 = " + share + " buckets (at least 1024)") + ", and max = buckets = "
                    + buckets + ".");
        }
        long buckets = memTotalBytes > 4 * GIB ? 65536 : memTotalBytes > GIB ? 16384 : Math.max(32, share);
        return new Rule(buckets, 4 * buckets, false, "Linux " + release(kernelRelease) + " (before 5.15) with " + ram
                + " sizes the table at " + buckets + " buckets and max = 4 x buckets = " + 4 * buckets + ".");
    }

    static boolean isModern(String kernelRelease) {
        Matcher m = RELEASE.matcher(kernelRelease == null ? "" : kernelRelease.strip());
        if (!m.find()) {
            return true;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return major > 5 || (major == 5 && minor >= 15);
    }

    private static String release(String kernelRelease) {
        return kernelRelease == null ? "(unknown)" : kernelRelease.strip();
    }
}
