package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.ctagent.sysctl.BootConfig.ConfFile;

class BootConfigTest {

    private static final String OURS = "/etc/sysctl.d/90-conntrack-agent.conf";

    private static ConfFile file(String path, String text) {
        return new ConfFile(path, SysctlConf.parse(text));
    }

    @Test
    void theLastFileThatSetsAKeyGivesTheBootValue() {
        List<ConfFile> files = List.of(
                file("/usr/lib/sysctl.d/50-default.conf", "net.netfilter.nf_conntrack_max = 65536\n"),
                file(OURS, "net.netfilter.nf_conntrack_max = 524288\n"));

        PersistedState state = BootConfig.state(SysctlKey.MAX, files, OURS, Optional.empty(), 524288L);

        assertThat(state.value()).isEqualTo(524288);
        assertThat(state.file()).isEqualTo(OURS);
        assertThat(state.managedValue()).isEqualTo(524288);
        assertThat(state.warnings()).isEmpty();
    }

    @Test
    void aLaterFileWithAnotherValueIsAWarningNamingFileAndLine() {
        List<ConfFile> files = List.of(
                file(OURS, "net.netfilter.nf_conntrack_max = 524288\n"),
                file("/etc/sysctl.d/99-sysctl.conf", "# distro\n\nnet.nf_conntrack_max=65536\n"),
                file("/etc/sysctl.conf", "net.netfilter.nf_conntrack_max = 524288\n"));

        PersistedState state = BootConfig.state(SysctlKey.MAX, files, OURS, Optional.empty(), 524288L);

        assertThat(state.value()).isEqualTo(524288);
        assertThat(state.file()).isEqualTo("/etc/sysctl.conf");
        assertThat(state.warnings()).singleElement().asString()
                .contains("/etc/sysctl.d/99-sysctl.conf").contains("line 3").contains("65536");
    }

    @Test
    void aLaterFileWithTheSameValueIsFine() {
        List<ConfFile> files = List.of(file(OURS, "net.netfilter.nf_conntrack_max = 1\n"),
                file("/etc/sysctl.conf", "net.netfilter.nf_conntrack_max = 1\n"));

        assertThat(BootConfig.state(SysctlKey.MAX, files, OURS, Optional.empty(), 1L).warnings()).isEmpty();
    }

    @Test
    void aRunningValueThatABootWouldUndoIsAWarning() {
        List<ConfFile> files = List.of(file("/etc/sysctl.conf", "net.netfilter.nf_conntrack_max = 65536\n"));

        PersistedState state = BootConfig.state(SysctlKey.MAX, files, OURS, Optional.empty(), 524288L);

        assertThat(state.value()).isEqualTo(65536);
        assertThat(state.managedValue()).isNull();
        assertThat(state.warnings()).singleElement().asString().contains("a reboot would change");
    }

    @Test
    void aMaskedDropInIsAWarning() {
        PersistedState state = BootConfig.state(SysctlKey.MAX, List.of(), "/run/sysctl.d/90-conntrack-agent.conf",
                Optional.of("/etc/sysctl.d/90-conntrack-agent.conf"), null);

        assertThat(state.warnings()).singleElement().asString().contains("never reads");
    }

    @Test
    void aValueThatIsNotANumberIsAWarningNotACrash() {
        List<ConfFile> files = List.of(file("/etc/sysctl.conf", "net.netfilter.nf_conntrack_max = lots\n"));

        PersistedState state = BootConfig.state(SysctlKey.MAX, files, OURS, Optional.empty(), 1L);

        assertThat(state.value()).isNull();
        assertThat(state.file()).isEqualTo("/etc/sysctl.conf");
        assertThat(state.warnings()).singleElement().asString().contains("not a number");
    }
}
