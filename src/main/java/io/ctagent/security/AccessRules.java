package io.ctagent.security;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who may call what: the ARCHITECTURE.md endpoint table as data, written in full ahead of the
 * features so that each endpoint is covered the day it lands. Anything not listed is denied
 * (403) to everyone, so a new endpoint must be added here on purpose. The same table tells the
 * 401/403 answers which role a request needs.
 *
 * <p>It is the authorization manager of every request: the first rule whose method and path
 * pattern match decides, as with Spring's request matchers, but the path is parsed once per
 * request instead of once per rule tried, a path without variables is found by one map lookup,
 * and the role hierarchy is worked out once instead of on every request (the read path is hot).
 */
final class AccessRules implements AuthorizationManager<RequestAuthorizationContext> {

    /** Who a rule lets in; roles include those below them ({@link Role#HIERARCHY}). */
    enum Access {
        PUBLIC, VIEWER, OPERATOR, AUDITOR;

        String role() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    record Rule(HttpMethod method, String pattern, Access access, PathPattern path) {
        Rule(HttpMethod method, String pattern, Access access) {
            this(method, pattern, access, PathPatternParser.defaultInstance.parse(pattern));
        }

        boolean matches(String method, PathContainer path) {
            return this.method.matches(method) && this.path.matches(path);
        }
    }

    private static final AuthorizationDecision GRANTED = new AuthorizationDecision(true);
    private static final AuthorizationDecision DENIED = new AuthorizationDecision(false);

    private static final String API = "/api/v1";

    private final List<Rule> rules;
    /** Method -> literal path -> its rule, for literal paths that no earlier rule also matches. */
    private final Map<String, Map<String, Rule>> literals = new HashMap<>();
    /** Authority (ROLE_ADMIN) -> every access it reaches through the hierarchy. */
    private final Map<String, Set<Access>> reach = new HashMap<>();

    AccessRules(boolean publicMetrics) {
        this(table(publicMetrics));
    }

    /** The rules in the order they are tried. */
    AccessRules(List<Rule> table) {
        this.rules = List.copyOf(table);
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            PathContainer path = PathContainer.parsePath(rule.pattern());
            boolean shadowed = rules.subList(0, i).stream()
                    .anyMatch(earlier -> earlier.matches(rule.method().name(), path));
            if (!rule.path().hasPatternSyntax() && !shadowed) {
                literals.computeIfAbsent(rule.method().name(), method -> new HashMap<>())
                        .putIfAbsent(rule.pattern(), rule);
            }
        }
        for (Role role : Role.values()) {
            Set<Access> accesses = EnumSet.noneOf(Access.class);
            for (GrantedAuthority reached : Role.HIERARCHY.getReachableGrantedAuthorities(
                    List.of(new SimpleGrantedAuthority(role.authority())))) {
                EnumSet.range(Access.VIEWER, Access.AUDITOR).stream()
                        .filter(access -> reached.getAuthority().equals("ROLE_" + access.name()))
                        .forEach(accesses::add);
            }
            reach.put(role.authority(), accesses);
        }
    }

    static List<Rule> table(boolean publicMetrics) {
        List<Rule> rules = new ArrayList<>();
        // The API first: rules are tried in order on every request, and its reads are the hot path.
        // No two rules overlap except the probes below, which come before /actuator/health/**.
        get(rules, Access.VIEWER, API + "/agent");
        get(rules, Access.VIEWER, API + "/conntrack/usage", API + "/conntrack/stats", API + "/conntrack/usage/history",
                API + "/conntrack/entries", API + "/conntrack/entries/summary");
        // Whole-table flush ({"all": true}) additionally needs admin: the flush feature checks the body.
        rules.add(new Rule(HttpMethod.POST, API + "/conntrack/flush", Access.OPERATOR));

        get(rules, Access.VIEWER, API + "/sysctls", API + "/sysctls/{key}");
        rules.add(new Rule(HttpMethod.PUT, API + "/sysctls/{key}", Access.OPERATOR));
        rules.add(new Rule(HttpMethod.PATCH, API + "/sysctls", Access.OPERATOR));
        rules.add(new Rule(HttpMethod.POST, API + "/sysctls/rollback", Access.OPERATOR));

        get(rules, Access.VIEWER, API + "/hashsize");
        rules.add(new Rule(HttpMethod.PUT, API + "/hashsize", Access.OPERATOR));

        get(rules, Access.VIEWER, API + "/tuning/recommendation");

        get(rules, Access.VIEWER, API + "/notrack/rules", API + "/notrack/rules/{id}");
        rules.add(new Rule(HttpMethod.POST, API + "/notrack/rules", Access.OPERATOR));
        rules.add(new Rule(HttpMethod.DELETE, API + "/notrack/rules/{id}", Access.OPERATOR));

        get(rules, Access.VIEWER, API + "/netns", API + "/events", API + "/events/stream", API + "/diagnosis");
        get(rules, Access.VIEWER, API + "/netns/history");

        get(rules, Access.AUDITOR, API + "/audit", API + "/audit/**");

        // Swagger UI and the spec: a caller needs them to learn how to authenticate.
        get(rules, Access.PUBLIC, "/swagger-ui.html", "/swagger-ui/**", "/v3/api-docs", "/v3/api-docs/**",
                "/v3/api-docs.yaml");
        // The status dashboard's files (io.ctagent.web.DashboardHeaders): the page loads before the
        // operator enters a key, and it holds no host data; its API calls carry the key.
        get(rules, Access.PUBLIC, "/", "/index.html", "/app.js", "/app.css");
        // Probes carry no key.
        get(rules, Access.PUBLIC, "/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness");
        get(rules, publicMetrics ? Access.PUBLIC : Access.VIEWER, "/actuator/prometheus");
        get(rules, Access.VIEWER, "/actuator", "/actuator/info", "/actuator/health/**");
        return rules;
    }

    private static void get(List<Rule> rules, Access access, String... patterns) {
        for (String pattern : patterns) {
            rules.add(new Rule(HttpMethod.GET, pattern, access));
        }
    }

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication,
                                         RequestAuthorizationContext context) {
        Optional<Rule> rule = ruleFor(context.getRequest());
        if (rule.isEmpty()) {
            return DENIED;
        }
        Access access = rule.get().access();
        return access == Access.PUBLIC || grants(authentication.get(), access) ? GRANTED : DENIED;
    }

    /** As hasRole: an authenticated caller with a role that reaches the access; anonymous has none. */
    private boolean grants(Authentication caller, Access access) {
        if (caller == null || !caller.isAuthenticated()) {
            return false;
        }
        for (GrantedAuthority authority : caller.getAuthorities()) {
            Set<Access> reached = reach.get(authority.getAuthority());
            if (reached != null && reached.contains(access)) {
                return true;
            }
        }
        return false;
    }

    /** The rule a request falls under, or empty when nothing allows it. */
    Optional<Rule> ruleFor(HttpServletRequest request) {
        String method = request.getMethod();
        String uri = request.getRequestURI();
        String contextPath = request.getContextPath();
        Rule literal = literals.getOrDefault(method, Map.of()).get(uri.substring(contextPath.length()));
        if (literal != null) {
            return Optional.of(literal);
        }
        // The parse Spring's PathPatternRequestMatcher makes: the raw URI, less the context path.
        PathContainer path = RequestPath.parse(uri, contextPath).pathWithinApplication();
        for (Rule rule : rules) {
            if (rule.matches(method, path)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }
}
