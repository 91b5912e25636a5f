package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SysctlPropertiesTest {

    @ParameterizedTest
    @CsvSource({"/etc/sysctl.d/90-conntrack-agent.conf, true", "etc/sysctl.d/99-x.conf, true",
            "/run/sysctl.d/90-conntrack-agent.conf, true", "/usr/lib/sysctl.d/50-x.conf, true",
            "/etc/sysctl.conf, false", "/etc/sysctl.d/90-x, false", "/etc/sysctl.d/../passwd.conf, false",
            "/tmp/90-x.conf, false", "/etc/sysctl.d/sub/90-x.conf, false"})
    void thePersistFileMustBeAConfFileThatSysctlSystemReads(String path, boolean valid) {
        assertThat(BootOrder.isConfFileIn(BootOrder.SYSCTL_DIRS, path)).isEqualTo(valid);
        if (valid) {
            assertThat(new SysctlProperties(path).persistFile()).isEqualTo(path);
        } else {
            assertThatThrownBy(() -> new SysctlProperties(path)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("ctagent.sysctl.persist-file must be a *.conf file");
        }
    }
}
