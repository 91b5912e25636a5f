package io.ctagent.audit;

import java.util.List;
import java.util.Locale;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import io.ctagent.web.RequestIdFilter;

/**
 * Who is asking, taken from the request being served on this thread. The credential itself
 * (key, token) is never part of it. A change the agent makes itself names its own actor
 * ({@code system}, {@code policy:<name>}).
 */
record RequestOrigin(String actor, List<String> roles, String sourceIp, String requestId) {

    /** The agent itself when no request is being served. */
    static final String SYSTEM = "system";

    static RequestOrigin current() {
        return current(null);
    }

    /** @param actingAs the agent's own actor for this change, or null for the request's caller */
    static RequestOrigin current(String actingAs) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        String actor = actingAs;
        List<String> roles = List.of();
        if (actingAs == null && authentication != null && authentication.isAuthenticated()
                && !(authentication instanceof AnonymousAuthenticationToken)) {
            actor = authentication.getName();
            roles = authentication.getAuthorities().stream()
                    .map(GrantedAuthority::getAuthority)
                    .filter(authority -> authority != null && authority.startsWith("ROLE_"))
                    .map(authority -> authority.substring("ROLE_".length()).toLowerCase(Locale.ROOT))
                    .sorted()
                    .toList();
        }
        String sourceIp = null;
        String requestId = RequestIdFilter.current();
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes instanceof ServletRequestAttributes servlet) {
            sourceIp = servlet.getRequest().getRemoteAddr();
            if (requestId == null && servlet.getRequest().getAttribute(RequestIdFilter.ATTRIBUTE) instanceof String id) {
                requestId = id;
            }
        }
        if (actor == null && attributes == null) {
            actor = SYSTEM; // no request: the agent acting on its own (reconcile, start-up)
        }
        return new RequestOrigin(actor, roles, sourceIp, requestId);
    }
}
