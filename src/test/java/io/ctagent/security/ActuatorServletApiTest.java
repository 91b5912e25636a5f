package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

import jakarta.servlet.http.HttpServletRequest;

class ActuatorServletApiTest {

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
    }

    @Test
    void actuatorRequestsSeeTheCallersRolesThroughTheServletApi() throws Exception {
        SecurityContextHolder.getContext().setAuthentication(
                new ApiKeyAuthentication("ops", List.of(new SimpleGrantedAuthority("ROLE_VIEWER"))));
        HttpServletRequest seen = pass(new MockHttpServletRequest("GET", "/actuator/health"));

        assertThat(seen.isUserInRole("VIEWER")).isTrue();
        assertThat(seen.isUserInRole("ADMIN")).isFalse();
        assertThat(seen.getUserPrincipal().getName()).isEqualTo("key:ops");
    }

    @Test
    void apiRequestsGoOnUnwrapped() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/conntrack/usage");
        assertThat(pass(request)).isSameAs(request);
        MockHttpServletRequest lookalike = new MockHttpServletRequest("GET", "/actuatorx");
        assertThat(pass(lookalike)).isSameAs(lookalike);
    }

    private static HttpServletRequest pass(MockHttpServletRequest request) throws Exception {
        MockFilterChain chain = new MockFilterChain();
        new ActuatorServletApi().doFilter(request, new MockHttpServletResponse(), chain);
        return (HttpServletRequest) chain.getRequest();
    }
}
