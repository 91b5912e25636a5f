package io.ctagent.hashsize;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModprobeOptionsTest {

    @Test
    void findsTheLastHashsizeForNfConntrackWhateverTheSpellingOfItsName() {
        assertThat(ModprobeOptions.hashsize("""
                # options nf_conntrack hashsize=1
                options nf_conntrack expect_hashsize=1024 hashsize=16384
                options nf_nat something=1
                options nf-conntrack hashsize=65536
                """)).isEqualTo("65536");
        assertThat(ModprobeOptions.hashsize("options nf_conntrack acct=1\n")).isNull();
    }

    @Test
    void joinsContinuationLines() {
        assertThat(ModprobeOptions.hashsize("options nf_conntrack acct=1 \\\n    hashsize=32768\n")).isEqualTo("32768");
    }

    @Test
    void setsHashsizeKeepingOtherOptionsAndLines() {
        String after = ModprobeOptions.withHashsize("""
                # from the runbook
                options nf_conntrack expect_hashsize=1024 hashsize=16384
                blacklist nf_conntrack_ftp
                options nf_conntrack hashsize=8192
                """, 262144);

        assertThat(after).isEqualTo("""
                # from the runbook
                options nf_conntrack expect_hashsize=1024
                blacklist nf_conntrack_ftp
                options nf_conntrack hashsize=262144
                """);
        assertThat(ModprobeOptions.hashsize(after)).isEqualTo("262144");
    }

    @Test
    void aNewFileGetsAHeaderAndOneLine() {
        assertThat(ModprobeOptions.withHashsize("", 65536))
                .startsWith("# Managed by conntrack-agent").endsWith("\noptions nf_conntrack hashsize=65536\n");
    }

    @Test
    void readsHashsizeFromTheKernelCommandLine() {
        assertThat(ModprobeOptions.cmdlineHashsize("BOOT_IMAGE=/vmlinuz ro nf_conntrack.hashsize=131072 quiet\n"))
                .isEqualTo("131072");
        assertThat(ModprobeOptions.cmdlineHashsize("ro quiet -- nf_conntrack.hashsize=1")).isNull();
        assertThat(ModprobeOptions.cmdlineHashsize("ro quiet")).isNull();
    }
}
