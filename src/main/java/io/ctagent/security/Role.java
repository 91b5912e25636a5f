package io.ctagent.security;

import java.util.Locale;
import java.util.Optional;

import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;

/**
 * What a caller may do. admin includes operator, which includes viewer; admin also includes
 * auditor. auditor alone reads only the audit.
 */
public enum Role {
    /** Every read except the audit. */
    VIEWER,
    /** viewer plus sysctl, hashsize and NOTRACK changes and filtered flushes. */
    OPERATOR,
    /** Everything, including whole-table flushes and the audit. */
    ADMIN,
    /** The audit records and their verification, nothing else. */
    AUDITOR;

    static final RoleHierarchy HIERARCHY = RoleHierarchyImpl.withDefaultRolePrefix()
            .role("ADMIN").implies("OPERATOR", "AUDITOR")
            .role("OPERATOR").implies("VIEWER")
            .build();

    /** The Spring Security authority, e.g. ROLE_OPERATOR. */
    public String authority() {
        return "ROLE_" + name();
    }

    /** Parses a role name as written in configuration or a token claim (any case); empty when unknown. */
    static Optional<Role> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException unknown) {
            return Optional.empty();
        }
    }
}
