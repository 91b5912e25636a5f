package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class BootOrderTest {

    @Test
    void filesAreAppliedByNameWhateverTheirDirectoryAndSysctlConfLast() {
        Map<String, List<String>> names = Map.of(
                "etc/sysctl.d", List.of("20-test.conf", "99-sysctl.conf", "forward.conf"),
                "usr/lib/sysctl.d", List.of("10-arch.conf", "50-default.conf"),
                "run/sysctl.d", List.of("60-run.conf"));

        assertThat(BootOrder.order(BootOrder.SYSCTL_DIRS, names, Optional.of(BootOrder.SYSCTL_CONF))).containsExactly(
                "usr/lib/sysctl.d/10-arch.conf", "etc/sysctl.d/20-test.conf", "usr/lib/sysctl.d/50-default.conf",
                "run/sysctl.d/60-run.conf", "etc/sysctl.d/99-sysctl.conf", "etc/sysctl.d/forward.conf",
                "etc/sysctl.conf");
    }

    @Test
    void aNameInAHigherPriorityDirectoryMasksTheSameNameBelow() {
        Map<String, List<String>> names = Map.of(
                "etc/sysctl.d", List.of("50-default.conf"),
                "run/sysctl.d", List.of("50-default.conf", "70-x.conf"),
                "usr/lib/sysctl.d", List.of("50-default.conf", "70-x.conf"));

        assertThat(BootOrder.order(BootOrder.SYSCTL_DIRS, names, Optional.empty()))
                .containsExactly("etc/sysctl.d/50-default.conf", "run/sysctl.d/70-x.conf");
        assertThat(BootOrder.maskedBy(BootOrder.SYSCTL_DIRS, names, "usr/lib/sysctl.d/70-x.conf"))
                .hasValue("run/sysctl.d/70-x.conf");
        assertThat(BootOrder.maskedBy(BootOrder.SYSCTL_DIRS, names, "etc/sysctl.d/50-default.conf")).isEmpty();
    }
}
