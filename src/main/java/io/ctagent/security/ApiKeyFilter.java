package io.ctagent.security;

import java.io.IOException;
import java.util.Optional;

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
import jakarta.servlet.http.HttpServletResponse;

/**
 * Authenticates the X-API-Key header. A wrong key is answered 401 at once, whatever the path:
 * a caller who sent a key wants to know it is wrong. No header: the request goes on anonymous.
 * Not a bean, so Boot does not also register it as a servlet filter. A plain filter: on an error or
 * async dispatch of the same request it checks the same header again, which costs less than the
 * once-per-request bookkeeping on every read.
 */
final class ApiKeyFilter implements Filter {

    private final ApiKeys keys;
    private final DeniedResponses denied;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    ApiKeyFilter(ApiKeys keys, DeniedResponses denied) {
        this.keys = keys;
        this.denied = denied;
    }

    @Override
    public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
            throws ServletException, IOException {
        HttpServletRequest request = (HttpServletRequest) servletRequest;
        HttpServletResponse response = (HttpServletResponse) servletResponse;
        String presented = request.getHeader(ApiKeys.HEADER);
        if (presented == null) {
            chain.doFilter(request, response);
            return;
        }
        Optional<Authentication> caller = keys.authenticate(presented);
        if (caller.isEmpty()) {
            contexts.clearContext();
            denied.commence(request, response, new BadCredentialsException("wrong API key"));
            return;
        }
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(caller.get());
        contexts.setContext(context);
        chain.doFilter(request, response);
    }
}
