package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.ctagent.sysctl.SysctlConf.Assignment;

class SysctlConfTest {

    private static final SysctlKey UDP = new SysctlKey("net.netfilter.nf_conntrack_udp_timeout");

    @Test
    void parsesAssignmentsSkippingCommentsAndBlankLines() {
        List<Assignment> assignments = SysctlConf.parse("""
                # a comment
                ; another comment
                   net.netfilter.nf_conntrack_max=131072
                -net.netfilter.nf_conntrack_udp_timeout = 60
                net/netfilter/nf_conntrack_acct = 1
                not an assignment

                kernel.pid_max =   4194304  \s
                """);

        assertThat(assignments).extracting(Assignment::key).containsExactly("net.netfilter.nf_conntrack_max",
                "net.netfilter.nf_conntrack_udp_timeout", "net.netfilter.nf_conntrack_acct", "kernel.pid_max");
        assertThat(assignments).extracting(Assignment::value).containsExactly("131072", "60", "1", "4194304");
        assertThat(assignments.get(0).line()).isEqualTo(3);
    }

    @Test
    void aSlashAsFirstSeparatorKeepsDotsInNames() {
        assertThat(SysctlConf.normalize("net/ipv4/conf/enp3s0.200/forwarding"))
                .isEqualTo("net.ipv4.conf.enp3s0/200.forwarding");
        assertThat(SysctlConf.normalize("net.ipv4.conf.enp3s0/200.forwarding"))
                .isEqualTo("net.ipv4.conf.enp3s0/200.forwarding");
    }

    @Test
    void theLastAssignmentInAFileWinsAndAliasesCount() {
        List<Assignment> assignments = SysctlConf.parse("""
                net.netfilter.nf_conntrack_max = 1
                net.nf_conntrack_max = 2
                """);

        assertThat(SysctlConf.lastFor(assignments, SysctlKey.MAX).value()).isEqualTo("2");
        assertThat(SysctlConf.lastFor(assignments, SysctlKey.LEGACY_MAX).value()).isEqualTo("2");
        assertThat(SysctlConf.lastFor(assignments, UDP)).isNull();
    }

    @Test
    void aGlobPatternSetsTheKeysItMatches() {
        List<Assignment> assignments = SysctlConf.parse("net.netfilter.nf_conntrack_udp_*  = 90\n");

        assertThat(SysctlConf.lastFor(assignments, UDP).value()).isEqualTo("90");
        assertThat(SysctlConf.lastFor(assignments, SysctlKey.MAX)).isNull();
    }

    @Test
    void updateKeepsCommentsAndOtherLinesAndLeavesOneLinePerKey() {
        String before = """
                # tuned by hand in 2019
                net.netfilter.nf_conntrack_max = 65536
                kernel.pid_max = 4194304
                ; duplicate below, left by an old script
                net.netfilter.nf_conntrack_max=131072
                net.nf_conntrack_max = 65536
                -net.netfilter.nf_conntrack_udp_timeout = 60
                """;
        Map<SysctlKey, Long> set = new LinkedHashMap<>();
        set.put(SysctlKey.MAX, 524288L);
        set.put(SysctlKey.BUCKETS, 524288L);

        String after = SysctlConf.update(before, set, Set.of(UDP));

        assertThat(after).isEqualTo("""
                # tuned by hand in 2019
                net.netfilter.nf_conntrack_max = 524288
                kernel.pid_max = 4194304
                ; duplicate below, left by an old script
                net.netfilter.nf_conntrack_buckets = 524288
                """);
    }

    @Test
    void aNewFileGetsAHeader() {
        String after = SysctlConf.update("", Map.of(UDP, 45L), Set.of());

        assertThat(after).startsWith("# Managed by conntrack-agent").endsWith("\nnet.netfilter.nf_conntrack_udp_timeout = 45\n");
    }

    @Test
    void updatingWithTheSameValuesChangesNothing() {
        String text = "# mine\nnet.netfilter.nf_conntrack_udp_timeout = 45\n";

        assertThat(SysctlConf.update(text, Map.of(UDP, 45L), Set.of())).isEqualTo(text);
    }

    @Test
    void aFileWithoutFinalNewlineKeepsItsLastLine() {
        assertThat(SysctlConf.update("kernel.pid_max = 1", Map.of(UDP, 45L), Set.of()))
                .isEqualTo("kernel.pid_max = 1\nnet.netfilter.nf_conntrack_udp_timeout = 45\n");
    }
}
