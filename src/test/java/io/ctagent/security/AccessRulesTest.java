package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

class AccessRulesTest {

    private final AccessRules rules = new AccessRules(false);

    /** Every rule's pattern with sample values, and paths near them that must not be confused. */
    static List<String> paths() {
        List<String> paths = new ArrayList<>();
        for (AccessRules.Rule rule : AccessRules.table(false)) {
            String sample = rule.pattern().replace("{key}", "net.netfilter.nf_conntrack_max")
                    .replace("{id}", "r1").replace("**", "deep/er");
            paths.add(sample);
            paths.add(sample + "/");
            paths.add(sample + "/more");
            paths.add(sample.toUpperCase());
        }
        paths.addAll(List.of("/api/v1/conntrack/%75sage", "/api/v1/conntrack/usage%2F", "/", "/nothing",
                "/actuator/health/readiness", "/actuator/health/custom", "/api/v1/audit/verify", "/api/v1"));
        return paths;
    }

    @Test
    void eachRequestFallsUnderTheRuleSpringsMatchersWouldPickFirst() {
        for (String path : paths()) {
            for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.POST, HttpMethod.PATCH,
                    HttpMethod.DELETE, HttpMethod.HEAD)) {
                MockHttpServletRequest request = new MockHttpServletRequest(method.name(), path);
                Optional<AccessRules.Rule> expected = AccessRules.table(false).stream()
                        .filter(rule -> PathPatternRequestMatcher.withDefaults()
                                .matcher(rule.method(), rule.pattern()).matches(request))
                        .findFirst();

                assertThat(rules.ruleFor(request).map(AccessRules.Rule::pattern)).as(method + " " + path)
                        .isEqualTo(expected.map(AccessRules.Rule::pattern));
            }
        }
    }

    @Test
    void aLiteralPathAfterAPatternThatAlsoMatchesItIsStillDecidedByThePattern() {
        AccessRules shadowing = new AccessRules(List.of(
                new AccessRules.Rule(HttpMethod.GET, "/a/**", AccessRules.Access.AUDITOR),
                new AccessRules.Rule(HttpMethod.GET, "/a/b", AccessRules.Access.PUBLIC),
                new AccessRules.Rule(HttpMethod.GET, "/c", AccessRules.Access.PUBLIC)));

        assertThat(shadowing.ruleFor(new MockHttpServletRequest("GET", "/a/b")))
                .map(AccessRules.Rule::pattern).contains("/a/**");
        assertThat(shadowing.ruleFor(new MockHttpServletRequest("GET", "/c")))
                .map(AccessRules.Rule::pattern).contains("/c");
    }

    @Test
    void aContextPathIsNotPartOfThePathMatched() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/agent/api/v1/conntrack/usage");
        request.setContextPath("/agent");

        assertThat(rules.ruleFor(request)).map(AccessRules.Rule::pattern).contains("/api/v1/conntrack/usage");
    }

    @Test
    void rolesReachWhatTheHierarchySays() {
        assertThat(granted("GET", "/api/v1/conntrack/usage", caller("ROLE_VIEWER"))).isTrue();
        assertThat(granted("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max", caller("ROLE_VIEWER"))).isFalse();
        assertThat(granted("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max", caller("ROLE_OPERATOR"))).isTrue();
        assertThat(granted("GET", "/api/v1/audit", caller("ROLE_OPERATOR"))).isFalse();
        assertThat(granted("GET", "/api/v1/audit", caller("ROLE_AUDITOR"))).isTrue();
        assertThat(granted("GET", "/api/v1/conntrack/usage", caller("ROLE_AUDITOR"))).isFalse();
        for (String path : List.of("/api/v1/conntrack/usage", "/api/v1/audit/verify", "/api/v1/hashsize")) {
            assertThat(granted("GET", path, caller("ROLE_ADMIN"))).as(path).isTrue();
        }
        assertThat(granted("PUT", "/api/v1/hashsize", caller("ROLE_ADMIN"))).isTrue();
    }

    @Test
    void publicPathsNeedNobodyAndUnlistedPathsAdmitNobody() {
        Authentication anonymous = new AnonymousAuthenticationToken("key", "anonymous",
                AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));

        assertThat(granted("GET", "/actuator/health/readiness", anonymous)).isTrue();
        assertThat(granted("GET", "/api/v1/conntrack/usage", anonymous)).isFalse();
        assertThat(granted("GET", "/api/v1/not-an-endpoint", caller("ROLE_ADMIN"))).isFalse();
        assertThat(granted("GET", "/api/v1/conntrack/usage", null)).isFalse();
    }

    @Test
    void anUnauthenticatedTokenWithARoleIsNotEnough() {
        TestingAuthenticationToken unauthenticated = new TestingAuthenticationToken("someone", null, "ROLE_ADMIN");
        unauthenticated.setAuthenticated(false);

        assertThat(granted("GET", "/api/v1/conntrack/usage", unauthenticated)).isFalse();
    }

    private boolean granted(String method, String path, Authentication caller) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        return rules.authorize(() -> caller, new RequestAuthorizationContext(request)).isGranted();
    }

    private static Authentication caller(String authority) {
        return new TestingAuthenticationToken("someone", null, authority);
    }
}
