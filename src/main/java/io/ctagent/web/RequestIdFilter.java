package io.ctagent.web;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when it is sane, else a new one.
 * It is echoed in the response, put in the log MDC and stored in the audit record, so one id
 * ties a client's call to the agent's log lines and audit entries. Runs before security, so
 * 401 and 403 answers carry it too.
 */
@Component
public class RequestIdFilter extends OncePerRequestFilter implements Ordered {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    public static final String ATTRIBUTE = RequestIdFilter.class.getName() + ".id";

    /** Ids from clients go into logs and the audit: no spaces, quotes or control characters. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** Before Spring's RequestContextFilter (-105) and the security filter chain (-100). */
    static final int ORDER = -110;

    @Override
    public int getOrder() {
        return ORDER;
    }

    /** The id of the request being served on this thread, or null outside a request. */
    public static String current() {
        return MDC.get(MDC_KEY);
    }

    /**
     * A random (version 4) UUID from the thread's own generator: an id ties log lines and audit
     * records together and needs no secrecy, and UUID.randomUUID() takes a lock on the shared
     * SecureRandom (and a SHA-1 round) on every request.
     */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String offered = request.getHeader(HEADER);
        String id = offered != null && SAFE.matcher(offered).matches() ? offered : newId();
        request.setAttribute(ATTRIBUTE, id);
        response.setHeader(HEADER, id);
        MDC.put(MDC_KEY, id);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove(MDC_KEY);
        }
    }
}
