package io.ctagent.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class RequestIdFilterTest {

    @Test
    void newIdsAreRandomVersion4UuidsAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = RequestIdFilter.newId();
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(uuid.toString()).isEqualTo(id);
            seen.add(id);
        }
        assertThat(seen).hasSize(100_000);
    }

    @Test
    void aSaneIdFromTheCallerIsKeptAndAnythingElseReplaced() throws Exception {
        assertThat(idFor("trace-1:a.b")).isEqualTo("trace-1:a.b");
        String replaced = idFor("two words\n");
        assertThat(replaced).isNotEqualTo("two words\n");
        assertThat(UUID.fromString(replaced).version()).isEqualTo(4);
        assertThat(UUID.fromString(idFor(null)).version()).isEqualTo(4);
    }

    private static String idFor(String offered) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/conntrack/usage");
        if (offered != null) {
            request.addHeader(RequestIdFilter.HEADER, offered);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        new RequestIdFilter().doFilter(request, response, new MockFilterChain());
        assertThat(request.getAttribute(RequestIdFilter.ATTRIBUTE)).isEqualTo(response.getHeader(RequestIdFilter.HEADER));
        return response.getHeader(RequestIdFilter.HEADER);
    }
}
