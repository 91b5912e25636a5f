package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManagedDropInCheckTest {

    @Test
    void whatTheAgentWritesPasses() {
        String written = SysctlConf.update("", Map.of(SysctlKey.MAX, 524288L, SysctlKey.BUCKETS, 131072L), Set.of());
        String more = SysctlConf.update(written, Map.of(new SysctlKey("net.netfilter.nf_conntrack_udp_timeout"), 45L,
                SysctlKey.LEGACY_MAX, 1L), Set.of());

        assertThat(ManagedDropInCheck.check(written)).isEqualTo(written);
        assertThat(ManagedDropInCheck.check(more)).isEqualTo(more);
        assertThat(ManagedDropInCheck.check("")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "kernel.core_pattern = |/tmp/x\n",
            "kernel.modprobe = /tmp/x\n",
            "net.netfilter.nf_conntrack_max = 1\nkernel.modprobe=/tmp/x\n",
            "net.netfilter.nf_conntrack_max = |/tmp/x\n",
            "net.netfilter.nf_conntrack_max = 1 2\n",
            "-kernel.core_pattern = x\n",
            "net.netfilter.nf_conntrack_*= 1\n",
            "net.ipv4.ip_forward = 1\n",
            "# ok\n\u0007\n"})
    void anythingButConntrackKeysWithIntegersIsRefused(String content) {
        assertThatThrownBy(() -> ManagedDropInCheck.check(content)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line");
    }
}
