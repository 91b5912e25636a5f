package io.ctagent.security;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Optional;

import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Authenticates the X-API-Key header, or an API key sent as {@code Authorization: Bearer <key>} (what
 * Prometheus and most HTTP tools can send). With JWT on, a bearer value that matches a configured key
 * is that key; anything else is left to the JWT resource server. A wrong key is answered 401 at once,
 * whatever the path: a caller who sent a key wants to know it is wrong. No key: the request goes on
 * anonymous.
 * Not a bean, so Boot does not also register it as a servlet filter. A plain filter: on an error or
 * async dispatch of the same request it checks the same header again, which costs less than the
 * once-per-request bookkeeping on every read.
 */
final class ApiKeyFilter implements Filter {

    private static final String BEARER = "Bearer ";

    private final ApiKeys keys;
    private final DeniedResponses denied;
    private final boolean jwt;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    ApiKeyFilter(ApiKeys keys, DeniedResponses denied, boolean jwt) {
        this.keys = keys;
        this.denied = denied;
        this.jwt = jwt;
    }

    @Override
    public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
            throws ServletException, IOException {
        HttpServletRequest request = (HttpServletRequest) servletRequest;
        HttpServletResponse response = (HttpServletResponse) servletResponse;
        String presented = request.getHeader(ApiKeys.HEADER);
        if (presented == null) {
            String bearer = bearer(request);
            Optional<Authentication> key = bearer == null ? Optional.empty() : keys.authenticate(bearer);
            if (bearer == null || key.isEmpty() && jwt) {
                chain.doFilter(request, response);
                return;
            }
            if (key.isPresent()) {
                authenticated(key.get());
                // The resource server must not read the key as a token it cannot decode.
                chain.doFilter(new WithoutAuthorization(request), response);
                return;
            }
            presented = bearer;
        }
        Optional<Authentication> caller = keys.authenticate(presented);
        if (caller.isEmpty()) {
            contexts.clearContext();
            denied.commence(request, response, new BadCredentialsException("wrong API key"));
            return;
        }
        authenticated(caller.get());
        chain.doFilter(request, response);
    }

    private void authenticated(Authentication caller) {
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(caller);
        contexts.setContext(context);
    }

    private static String bearer(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String value = authorization.substring(BEARER.length()).strip();
        return value.isEmpty() ? null : value;
    }

    /** The request as later filters see it once its bearer value was taken as an API key. */
    private static final class WithoutAuthorization extends HttpServletRequestWrapper {
        WithoutAuthorization(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getHeader(String name) {
            return HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name) ? Collections.emptyEnumeration()
                    : super.getHeaders(name);
        }
    }
}
