package io.ctagent.hostagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HostPathsTest {

    private final HostPaths paths = new HostPaths(TestHostProperties.roots("/host/proc", "/host/sys", "/host"));

    @Test
    void resolvesUnderTheConfiguredRoots() {
        assertThat(paths.proc("sys/net/netfilter/nf_conntrack_max"))
                .isEqualTo(Path.of("/host/proc/sys/net/netfilter/nf_conntrack_max"));
        assertThat(paths.sys("module/nf_conntrack/parameters/hashsize"))
                .isEqualTo(Path.of("/host/sys/module/nf_conntrack/parameters/hashsize"));
        assertThat(paths.netnsDir()).isEqualTo(Path.of("/host/run/netns"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc/shadow", "sys/../../etc", "/etc/passwd", "sys/net netfilter", "a;b", "", "a//b"})
    void refusesPathsThatCouldEscapeTheRoot(String relative) {
        assertThatThrownBy(() -> paths.proc(relative)).isInstanceOf(IllegalArgumentException.class);
    }
}
