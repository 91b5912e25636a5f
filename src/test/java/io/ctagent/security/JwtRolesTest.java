package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

class JwtRolesTest {

    static Jwt jwt(Map<String, Object> claims) {
        Jwt.Builder builder = Jwt.withTokenValue("t").header("alg", "RS256").subject("alice")
                .issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(60));
        claims.forEach(builder::claim);
        return builder.build();
    }

    static List<String> authorities(String claim, Map<String, Object> claims) {
        return new JwtRoles(claim).convert(jwt(claims)).getAuthorities().stream()
                .map(GrantedAuthority::getAuthority).toList();
    }

    @Test
    void aListClaimInAnyCase() {
        assertThat(authorities("roles", Map.of("roles", List.of("Viewer", "AUDITOR"))))
                .containsExactly("ROLE_VIEWER", "ROLE_AUDITOR");
    }

    @Test
    void aSpaceOrCommaSeparatedString() {
        assertThat(authorities("scope", Map.of("scope", "openid operator,viewer")))
                .containsExactly("ROLE_OPERATOR", "ROLE_VIEWER");
    }

    @Test
    void aNestedClaimAndUnknownNamesIgnored() {
        assertThat(authorities("realm_access.roles",
                Map.of("realm_access", Map.of("roles", List.of("offline_access", "admin")))))
                .containsExactly("ROLE_ADMIN");
        assertThat(authorities("realm_access.roles", Map.of("roles", List.of("admin")))).isEmpty();
    }

    @Test
    void theNameIsTheSubject() {
        assertThat(new JwtRoles("roles").convert(jwt(Map.of())).getName()).isEqualTo("jwt:alice");
    }

    @Test
    void anIssuerThatIsDownDoesNotStopTheAgent() {
        // Discovery and keys are fetched on the first token, not while the agent starts.
        JwtDecoder decoder = SecurityConfig.decoder(new ApiSecurityProperties.Jwt("http://127.0.0.1:9/realms/ops", null,
                null, List.of("ctagent"), "roles", Duration.ofSeconds(2), Duration.ofSeconds(2)));
        // An unreachable issuer rejects the token (401), it does not fail the request with a 500.
        assertThatThrownBy(() -> decoder.decode("a.b.c")).isInstanceOf(JwtException.class)
                .hasMessageContaining("could not be reached");
    }
}
