package io.ctagent.security;

import java.util.Collection;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;

/** A caller who presented a known API key. Holds the key's name, never the key. */
final class ApiKeyAuthentication extends AbstractAuthenticationToken {

    private final String name;

    ApiKeyAuthentication(String keyName, Collection<? extends GrantedAuthority> authorities) {
        super(authorities);
        this.name = "key:" + keyName;
        setAuthenticated(true);
    }

    @Override
    public Object getCredentials() {
        return null;
    }

    @Override
    public Object getPrincipal() {
        return name;
    }

    @Override
    public String getName() {
        return name;
    }
}
