package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ctagent.problem.InvalidInput;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

class SysctlValueTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SysctlSpec MAX = KnownSysctls.spec(SysctlKey.MAX);

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    @Test
    void acceptsAJsonIntegerInRange() {
        assertThat(SysctlValue.parse("value", json("524288"), SysctlKey.MAX, MAX)).isEqualTo(524288);
        assertThat(SysctlValue.parse("value", json("2147483647"), SysctlKey.MAX, MAX)).isEqualTo(Integer.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abc\"", "-1", "0", "9223372036854775808", "9223372036854775807", "2147483648",
            "\" 5\"", "\"5\\n\"", "\"5; reboot\"", "\"$(id)\"", "\"524288\"", "1.5", "1e3", "true", "null",
            "[1]", "{\"a\": 1}"})
    void refusesAnythingButAnIntegerInRangeNamingTheField(String value) {
        assertThatThrownBy(() -> SysctlValue.parse("value", json(value), SysctlKey.MAX, MAX))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("value"));
    }

    @Test
    void aMissingValueIsRequired() {
        assertThatThrownBy(() -> SysctlValue.parse("value", null, SysctlKey.MAX, MAX))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.getBody().getDetail())
                        .contains("required"));
    }

    @Test
    void aReasonIsOnePrintableLine() {
        assertThat(SysctlValue.reason("  incident 4711  ")).isEqualTo("incident 4711");
        assertThat(SysctlValue.reason(null)).isNull();
        assertThatThrownBy(() -> SysctlValue.reason("a\nb")).isInstanceOf(InvalidInput.class);
        assertThatThrownBy(() -> SysctlValue.reason("x".repeat(501))).isInstanceOf(InvalidInput.class);
    }
}
