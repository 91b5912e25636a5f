package io.ctagent.security;

import java.io.IOException;

import org.springframework.security.authentication.AuthenticationTrustResolverImpl;
import org.springframework.security.web.servletapi.SecurityContextHolderAwareRequestWrapper;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The servlet-API view of the caller (request.isUserInRole), for actuator only: its
 * "show-details: when-authorized" asks the request. Everything else reads the SecurityContext
 * ({@link Callers}), so API requests skip a wrapper that every later request call would go through.
 */
final class ActuatorServletApi implements Filter {

    private final AuthenticationTrustResolverImpl trust = new AuthenticationTrustResolverImpl();

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && isActuator(http)) {
            chain.doFilter(new SecurityContextHolderAwareRequestWrapper(http, trust, "ROLE_"), response);
        } else {
            chain.doFilter(request, response);
        }
    }

    static boolean isActuator(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals("/actuator") || path.startsWith("/actuator/");
    }
}
