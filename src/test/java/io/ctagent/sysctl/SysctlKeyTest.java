package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ctagent.problem.InvalidInput;

class SysctlKeyTest {

    @Test
    void acceptsDottedLowerCaseNames() {
        assertThat(SysctlKey.parse("key", "net.netfilter.nf_conntrack_max")).isEqualTo(SysctlKey.MAX);
        assertThat(SysctlKey.parse("key", "net.nf_conntrack_max").variable()).isEqualTo(SysctlKey.MAX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"net/netfilter/nf_conntrack_max", "../../etc/shadow", "net..netfilter",
            "net.netfilter.nf_conntrack_max;reboot", "net.netfilter.nf_conntrack_max ", " net.x", "net.x\ny",
            "$(id).x", "net.x`id`", "NET.X", "net", ".net.x", "net.x.", "net.x|y", "net.x&&y"})
    void refusesAnythingElseNamingTheField(String raw) {
        assertThatThrownBy(() -> SysctlKey.parse("key", raw))
                .isInstanceOfSatisfying(InvalidInput.class, e -> {
                    assertThat(e.field()).isEqualTo("key");
                    assertThat(e.getBody().getDetail()).doesNotContain("\n");
                });
    }
}
