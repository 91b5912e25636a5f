package io.ctagent.hostagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ctagent.problem.InvalidInput;

class NetnsTargetTest {

    @Test
    void noNameMeansTheAgentsOwnNamespace() {
        assertThat(NetnsTarget.parse(null).isOwn()).isTrue();
        assertThat(NetnsTarget.parse("").isOwn()).isTrue();
    }

    @Test
    void acceptsTheNamesIpNetnsUsers() {
        assertThat(NetnsTarget.parse("cni-1f2e3d4c-aaaa-bbbb").name()).hasValue("cni-1f2e3d4c-aaaa-bbbb");
        assertThat(NetnsTarget.parse("ctlab_1.x").name()).hasValue("ctlab_1.x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../x", "a/b", "a b", "x;rm -rf /", "-n", ".hidden", "a\nb", "$(id)"})
    void refusesNamesThatAreNotPlainFileNames(String name) {
        assertThatThrownBy(() -> NetnsTarget.parse(name))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("netns"));
    }

    @Test
    void refusesOverlongNames() {
        assertThatThrownBy(() -> NetnsTarget.parse("a".repeat(64))).isInstanceOf(InvalidInput.class);
    }
}
