package io.ctagent.security;

import java.util.List;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.ctagent.problem.ConfigChecks;

/**
 * Who may call the agent.
 *
 * @param apiKeys API keys, each stored only as the SHA-256 of the key. None configured (and no
 *                JWT): the agent must bind a loopback address and makes up one admin key, printed
 *                once at start-up
 * @param jwt bearer JWTs from a portal's identity provider; off unless an issuer or JWK set URI is set
 * @param publicMetrics let /actuator/prometheus be scraped without a key
 */
@ConfigurationProperties("ctagent.security")
public record ApiSecurityProperties(
        @DefaultValue List<ApiKey> apiKeys,
        @DefaultValue Jwt jwt,
        @DefaultValue("false") boolean publicMetrics) {

    /**
     * @param name who holds the key; it appears in the audit as {@code key:NAME}
     * @param sha256 hex SHA-256 of the key (checked by ApiKeys, which never echoes a wrong value: it may be the key) ({@code printf %s "$KEY" | sha256sum}, or
     *               {@code java -jar conntrack-agent.jar --hash-key})
     * @param roles viewer, operator, admin and/or auditor
     */
    public record ApiKey(
            String name,
            String sha256,
            Set<Role> roles) {

        public ApiKey {
            ConfigChecks.text("ctagent.security.api-keys[].name", name);
            ConfigChecks.text("ctagent.security.api-keys[].sha256 (key '" + name + "')", sha256);
            ConfigChecks.check(roles != null && !roles.isEmpty(), "ctagent.security.api-keys[].roles (key '" + name
                    + "')", "must name at least one role");
        }
    }

    /**
     * @param issuerUri the token issuer; its JWK set is discovered from it and {@code iss} is checked
     * @param jwkSetUri where the signing keys are, when the issuer does not publish discovery
     * @param rolesClaim the claim holding the roles; a dotted path reaches into objects
     *                   (e.g. {@code realm_access.roles} for Keycloak). A list or a space- or
     *                   comma-separated string; unknown role names are ignored
     */
    public record Jwt(String issuerUri, String jwkSetUri, @DefaultValue("roles") String rolesClaim) {

        public boolean enabled() {
            return hasText(issuerUri) || hasText(jwkSetUri);
        }

        private static boolean hasText(String value) {
            return value != null && !value.isBlank();
        }
    }
}
