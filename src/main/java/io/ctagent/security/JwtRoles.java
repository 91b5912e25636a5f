package io.ctagent.security;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Turns a validated JWT into a caller: roles from the configured claim (a dotted path reaches
 * into nested objects, e.g. Keycloak's realm_access.roles), the name {@code jwt:SUBJECT}.
 */
final class JwtRoles implements Converter<Jwt, AbstractAuthenticationToken> {

    private final List<String> claimPath;

    JwtRoles(String rolesClaim) {
        this.claimPath = List.of(rolesClaim.split("\\."));
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        List<GrantedAuthority> authorities = names(jwt.getClaims())
                .map(Role::parse)
                .flatMap(Optional::stream)
                .distinct()
                .map(role -> (GrantedAuthority) new SimpleGrantedAuthority(role.authority()))
                .toList();
        return new JwtAuthenticationToken(jwt, authorities, "jwt:" + jwt.getSubject());
    }

    private Stream<String> names(Map<String, Object> claims) {
        Object value = claims;
        for (String step : claimPath) {
            if (!(value instanceof Map<?, ?> object)) {
                return Stream.empty();
            }
            value = object.get(step);
        }
        if (value instanceof Collection<?> list) {
            return list.stream().map(String::valueOf);
        }
        if (value instanceof String text) {
            return Stream.of(text.split("[\\s,]+"));
        }
        return Stream.empty();
    }
}
