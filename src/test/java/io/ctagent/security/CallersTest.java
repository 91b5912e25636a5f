package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

class CallersTest {

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
    }

    static void as(Role role) {
        SecurityContextHolder.getContext().setAuthentication(
                new ApiKeyAuthentication("k", List.of(new SimpleGrantedAuthority(role.authority()))));
    }

    @Test
    void aWholeTableFlushNeedsAdmin() {
        as(Role.OPERATOR);
        assertThatThrownBy(() -> Callers.require(Role.ADMIN, "flushing the whole table"))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessage("flushing the whole table needs role admin");
        as(Role.ADMIN);
        Callers.require(Role.ADMIN, "flushing the whole table");
    }

    @Test
    void theHierarchyCounts() {
        as(Role.ADMIN);
        assertThat(Callers.has(Role.VIEWER)).isTrue();
        assertThat(Callers.has(Role.AUDITOR)).isTrue();
        as(Role.OPERATOR);
        assertThat(Callers.has(Role.VIEWER)).isTrue();
        assertThat(Callers.has(Role.AUDITOR)).isFalse();
        as(Role.AUDITOR);
        assertThat(Callers.has(Role.VIEWER)).isFalse();
    }

    @Test
    void nobodyHasNothing() {
        assertThat(Callers.has(Role.VIEWER)).isFalse();
    }
}
