package io.ctagent.security;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Role checks that depend on the request body and so cannot be URL rules, e.g. a whole-table
 * flush needs admin where a filtered one needs operator. A failed check answers 403
 * problem+json and is audited as DENIED, like a URL rule.
 */
public final class Callers {

    private Callers() {
    }

    /** Whether the current caller has the role, counting the hierarchy (admin has operator...). */
    public static boolean has(Role role) {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        if (caller == null || !caller.isAuthenticated()) {
            return false;
        }
        return Role.HIERARCHY.getReachableGrantedAuthorities(caller.getAuthorities()).stream()
                .map(GrantedAuthority::getAuthority)
                .anyMatch(role.authority()::equals);
    }

    /**
     * @param what what needs the role, e.g. "flushing the whole table"
     * @throws AccessDeniedException when the caller lacks it
     */
    public static void require(Role role, String what) {
        if (!has(role)) {
            throw new RoleRequired(role, what + " needs role " + role.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** A check inside a feature refused: the 403 names this role as requiredRole, not the endpoint's. */
    static final class RoleRequired extends AccessDeniedException {

        private final Role role;

        RoleRequired(Role role, String message) {
            super(message);
            this.role = role;
        }

        Role role() {
            return role;
        }
    }
}
