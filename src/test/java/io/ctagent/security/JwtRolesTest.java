package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;

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
}
