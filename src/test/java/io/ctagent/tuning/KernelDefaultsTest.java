package io.ctagent.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KernelDefaultsTest {

    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;

    @ParameterizedTest(name = "{0} MiB on {1}: {2} buckets, max {3}")
    @CsvSource({
            // 5.15+: RAM/16384/8, >1 GiB 65536, >4 GiB 262144, at least 1024; max = buckets
            "24000, 6.18.0, 262144, 262144",
            "4096,  6.1.0,  65536,  65536",
            "4097,  5.15.0, 262144, 262144",
            "1024,  6.1.0,  8192,   8192",
            "512,   6.1.0,  4096,   4096",
            "64,    6.1.0,  1024,   1024",
            // before 5.15: >1 GiB 16384, >4 GiB 65536, at least 32; max = 4 x buckets
            "24000, 5.10.0-28-amd64, 65536, 262144",
            "2048,  4.19.0, 16384,  65536",
            "512,   3.10.0-1160.el7, 4096, 16384",
            "2,     5.14.21, 32,    128"})
    void followsTheKernelsRule(long mib, String release, long buckets, long max) {
        KernelDefaults.Rule rule = KernelDefaults.forHost(mib * MIB, release);

        assertThat(rule.buckets()).isEqualTo(buckets);
        assertThat(rule.max()).isEqualTo(max);
        assertThat(rule.modern()).isEqualTo(KernelDefaults.isModern(release));
        assertThat(rule.rule()).contains(release);
    }

    @ParameterizedTest
    @CsvSource({"5.15.0, true", "5.14.99, false", "6.0.0, true", "4.19.0, false", "garbage, true", "10.1, true"})
    void theRatioChangedIn515(String release, boolean modern) {
        assertThat(KernelDefaults.isModern(release)).isEqualTo(modern);
        assertThat(KernelDefaults.forHost(8 * GIB, release).max() / KernelDefaults.forHost(8 * GIB, release).buckets())
                .isEqualTo(modern ? 1 : 4);
    }
}
