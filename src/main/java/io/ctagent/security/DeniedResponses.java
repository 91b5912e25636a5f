package io.ctagent.security;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

import io.ctagent.change.Refusals;
import io.ctagent.web.RequestIdFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * 401 and 403 as problem+json, each saying what to do, and the audit record of the denial. Every
 * denial is counted in the log of denied requests (through {@link Refusals}), which writes at most one
 * record per source, caller and reason per interval and keeps apart from the change history: anyone
 * on the network can be denied as often as they like without filling the audit disk or rotating a
 * change record away.
 */
final class DeniedResponses implements AuthenticationEntryPoint, AccessDeniedHandler {

    private final AccessRules rules;
    private final Refusals refusals;
    private final JsonMapper json;
    private final boolean jwt;

    DeniedResponses(AccessRules rules, Refusals refusals, JsonMapper json, boolean jwt) {
        this.rules = rules;
        this.refusals = refusals;
        // The mixin flattens ProblemDetail's extra properties, as Spring MVC writes them.
        this.json = json.rebuild().addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class).build();
        this.jwt = jwt;
    }

    /** No credentials, or credentials that are wrong. */
    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException {
        Optional<AccessRules.Rule> rule = rules.ruleFor(request);
        // Anonymous callers arrive as InsufficientAuthentication; anything else rejected what they sent.
        boolean wrongCredentials = !(failure instanceof InsufficientAuthenticationException);
        String detail;
        String reason = failure instanceof BadCredentialsException ? "wrong-key"
                : wrongCredentials ? "bad-token" : "unauthenticated";
        if (failure instanceof BadCredentialsException) {
            detail = "The API key presented (X-API-Key, or Authorization: Bearer) matches no configured key. Check "
                    + "it for a typo or a rotated key; the agent knows keys only by their SHA-256 "
                    + "(ctagent.security.api-keys).";
        } else if (wrongCredentials) {
            detail = "The bearer token was rejected: " + failure.getMessage() + ". Get a fresh token from the portal.";
        } else {
            // Without credentials a path the agent does not have is answered like one it has: a caller
            // without a key learns nothing about which paths exist.
            detail = "This endpoint needs " + rule.map(r -> "role " + r.access().role()).orElse("a role")
                    + ": send an API key in the X-API-Key header or as Authorization: Bearer <key>"
                    + (jwt ? ", or a bearer token" : "") + ".";
        }
        record(request, reason, rule.orElse(null), detail);
        // Bearer is always offered: an API key may be sent as Authorization: Bearer <key> (Prometheus).
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "ApiKey header=\"" + ApiKeys.HEADER + "\", Bearer");
        write(request, response, HttpStatus.UNAUTHORIZED, "unauthenticated", "Authentication needed", detail, null);
    }

    /** A known caller whose roles do not reach the endpoint (or a check inside a feature). */
    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
            throws IOException {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        String who = caller == null ? "This caller" : "'" + caller.getName() + "' (roles " + roles(caller) + ")";
        Optional<AccessRules.Rule> rule = rules.ruleFor(request);
        String detail;
        if (!(denied instanceof AuthorizationDeniedException) && denied.getMessage() != null) {
            detail = who + " may not do this: " + denied.getMessage();
        } else if (rule.isPresent()) {
            detail = who + " may not " + request.getMethod() + " " + request.getRequestURI() + ": it needs role "
                    + rule.get().access().role() + ". Ask for a key with that role.";
        } else {
            notFound(request, response);
            return;
        }
        // A check inside a feature (force, a whole-table flush) needs more than the endpoint's role: name that one.
        String required = denied instanceof Callers.RoleRequired feature
                ? feature.role().name().toLowerCase(java.util.Locale.ROOT) : rule.map(r -> r.access().role()).orElse(null);
        denials(request, rule.isPresent() ? "forbidden" : "no-rule", required, detail);
        write(request, response, HttpStatus.FORBIDDEN, "forbidden", "Forbidden", detail, required);
    }

    /**
     * A known caller asked for a path the agent does not have (404), or for a method its path does not
     * take (405, with Allow). Still recorded, like every refusal of a known caller.
     */
    private void notFound(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> allowed = rules.methodsOn(request);
        String detail = noRule(request);
        record(request, "no-rule", null, detail);
        if (allowed.isEmpty()) {
            write(request, response, HttpStatus.NOT_FOUND, "not-found", "Not found", detail, null);
        } else {
            response.setHeader(HttpHeaders.ALLOW, String.join(", ", allowed));
            write(request, response, HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed",
                    request.getRequestURI() + " takes " + String.join(", ", allowed) + ", not " + request.getMethod()
                            + ".", null);
        }
    }

    private static String noRule(HttpServletRequest request) {
        return "There is no endpoint " + request.getMethod() + " " + request.getRequestURI()
                + ", or it has no access rule; the agent denies what it does not know. The API is at /swagger-ui.html.";
    }

    private void record(HttpServletRequest request, String reason, AccessRules.Rule rule, String detail) {
        denials(request, reason, rule == null ? null : rule.access().role(), detail);
    }

    private void denials(HttpServletRequest request, String reason, String requiredRole, String detail) {
        refusals.denied(reason, request.getMethod(), request.getRequestURI(), requiredRole, detail);
    }

    private void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String type,
                       String title, String detail, String requiredRole) throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:ctagent:problem:" + type));
        problem.setTitle(title);
        problem.setInstance(URI.create(request.getRequestURI()));
        if (requiredRole != null) {
            problem.setProperty("requiredRole", requiredRole);
        }
        if (RequestIdFilter.current() != null) {
            problem.setProperty("requestId", RequestIdFilter.current());
        }
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }

    private static String roles(Authentication caller) {
        return caller.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                .map(authority -> authority.replaceFirst("^ROLE_", "").toLowerCase(java.util.Locale.ROOT))
                .sorted().toList().toString();
    }
}
