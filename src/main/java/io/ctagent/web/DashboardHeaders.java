package io.ctagent.web;

import java.io.IOException;
import java.util.Set;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The status dashboard (src/main/resources/static) may load code, styles and data only from the
 * agent itself: its responses carry a Content-Security-Policy that allows no inline code and no
 * other origin, and lets only the agent's own origin frame it (a portal that proxies it).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class DashboardHeaders extends OncePerRequestFilter {

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'";

    /**
     * The dashboard's files, relative to the context path. They hold no host data, and the page
     * must load before the operator enters a key, so these are the paths to serve without one.
     */
    static final Set<String> PATHS = Set.of("/", "/index.html", "/app.js", "/app.css");

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !PATHS.contains(UrlPathHelper.defaultInstance.getPathWithinApplication(request));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        chain.doFilter(request, response);
    }
}
