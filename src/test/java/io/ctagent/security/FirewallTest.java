package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.web.firewall.RequestRejectedException;

class FirewallTest {

    /** The expressions StrictHttpFirewall ships with (Spring Security 7). */
    static final Pattern NAMES = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");
    static final Pattern VALUES = Pattern.compile("[\\p{IsAssigned}&&[[^\\p{IsControl}]||\\t]]*");

    @Test
    void everyCodePointIsJudgedAsTheExpressionsJudgeIt() {
        for (int codePoint = 0; codePoint <= Character.MAX_CODE_POINT; codePoint++) {
            String one = Character.toString(codePoint);
            assertThat(Firewall.assignedAndNotControl(one)).as("U+%04X", codePoint)
                    .isEqualTo(NAMES.matcher(one).matches());
            assertThat(Firewall.headerValue(one)).as("U+%04X", codePoint)
                    .isEqualTo(VALUES.matcher(one).matches());
        }
    }

    @Test
    void stringsAreJudgedWhole() {
        for (String value : List.of("", "viewer-key-123", "a\tb", "a\u0007b", "tab\t", "caf\u00e9 \ud83d\ude00",
                "lone \ud800 surrogate", "\ud83d", "x\u0085y", "x\u0378y", "x\r\ny", "x\u007fy")) {
            assertThat(Firewall.assignedAndNotControl(value)).as(value).isEqualTo(NAMES.matcher(value).matches());
            assertThat(Firewall.headerValue(value)).as(value).isEqualTo(VALUES.matcher(value).matches());
        }
    }

    @Test
    void aHeaderWithAControlCharacterIsRejectedWhenRead() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/conntrack/usage");
        request.addHeader(ApiKeys.HEADER, "key\u0007");
        request.addHeader("X-Fine", "a\tb");

        var firewalled = Firewall.strict().getFirewalledRequest(request);

        assertThat(firewalled.getHeader("X-Fine")).isEqualTo("a\tb");
        assertThatThrownBy(() -> firewalled.getHeader(ApiKeys.HEADER)).isInstanceOf(RequestRejectedException.class);
    }
}
