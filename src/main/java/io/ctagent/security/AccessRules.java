package io.ctagent.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who may call what: the ARCHITECTURE.md endpoint table as data, written in full ahead of the
 * features so that each endpoint is covered the day it lands. Anything not listed is denied
 * (403) to everyone, so a new endpoint must be added here on purpose. The same table tells the
 * 401/403 answers which role a request needs.
 */
final class AccessRules {

    /** Who a rule lets in; roles include those below them ({@link Role#HIERARCHY}). */
    enum Access {
        PUBLIC, VIEWER, OPERATOR, AUDITOR;

        String role() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    record Rule(HttpMethod method, String pattern, Access access, RequestMatcher matcher) {
        Rule(HttpMethod method, String pattern, Access access) {
            this(method, pattern, access, PathPatternRequestMatcher.withDefaults().matcher(method, pattern));
        }
    }

    private static final String API = "/api/v1";

    private final List<Rule> rules;

    AccessRules(boolean publicMetrics) {
        this.rules = List.copyOf(table(publicMetrics));
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

    void apply(AuthorizeHttpRequestsConfigurer<?>.AuthorizationManagerRequestMatcherRegistry requests) {
        for (Rule rule : rules) {
            var matched = requests.requestMatchers(rule.matcher());
            switch (rule.access()) {
                case PUBLIC -> matched.permitAll();
                case VIEWER -> matched.hasRole(Role.VIEWER.name());
                case OPERATOR -> matched.hasRole(Role.OPERATOR.name());
                case AUDITOR -> matched.hasRole(Role.AUDITOR.name());
            }
        }
    }

    /** The rule a request falls under, or empty when nothing allows it. */
    Optional<Rule> ruleFor(HttpServletRequest request) {
        return rules.stream().filter(rule -> rule.matcher().matches(request)).findFirst();
    }

    List<Rule> rules() {
        return rules;
    }
}
