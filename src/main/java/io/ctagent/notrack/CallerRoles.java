package io.ctagent.notrack;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The admin-role hook for guarded NOTRACK changes. Until API keys and JWT land (issue 3) no
 * caller has a role, so a match-all rule is refused; once roles exist, ROLE_ADMIN passes.
 */
final class CallerRoles {

    static final String ADMIN = "ADMIN";

    private CallerRoles() {
    }

    static boolean isAdmin(HttpServletRequest request) {
        if (request.isUserInRole(ADMIN)) {
            return true;
        }
        // Also read the context directly: a request that skipped the security filters has no wrapper.
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication != null && authentication.isAuthenticated()
                && authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                        .anyMatch(("ROLE_" + ADMIN)::equals);
    }
}
