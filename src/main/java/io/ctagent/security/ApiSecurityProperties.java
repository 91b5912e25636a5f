package io.ctagent.security;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.ctagent.problem.ConfigChecks;

/**
 * Who may call the agent.
 *
 * @param apiKeys API keys, each stored only as the SHA-256 of the key. None configured (and no
 *                JWT): the agent must bind a loopback address and makes up one admin key, written
 *                to {@code generatedKeyFile}
 * @param jwt bearer JWTs from a portal's identity provider; off unless an issuer or JWK set URI is set
 * @param publicMetrics let /actuator/prometheus be scraped without a key
 * @param generatedKeyFile where the one-run admin key is written (mode 0600) when no key and no JWT is
 *                         configured; empty means /run/conntrack-agent/admin-key for root, else
 *                         $XDG_RUNTIME_DIR (or $XDG_STATE_HOME, or ~/.local/state)/conntrack-agent/admin-key
 */
@ConfigurationProperties("ctagent.security")
public record ApiSecurityProperties(
        @DefaultValue List<ApiKey> apiKeys,
        @DefaultValue Jwt jwt,
        @DefaultValue("false") boolean publicMetrics,
        @DefaultValue("") String generatedKeyFile) {

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
     * @param issuer the {@code iss} tokens must carry when only {@code jwkSetUri} is given (with
     *               {@code issuerUri}, that is the issuer and this may be left out)
     * @param audiences this agent's names at the identity provider: a token's {@code aud} must hold one
     *                  of them. Required when JWT is on, so a token issued to another client is refused
     * @param rolesClaim the claim holding the roles; a dotted path reaches into objects
     *                   (e.g. {@code realm_access.roles} for Keycloak). A list or a space- or
     *                   comma-separated string; unknown role names are ignored
     * @param connectTimeout how long connecting to the identity provider (JWK set, discovery) may take
     * @param readTimeout how long its answer may take
     */
    public record Jwt(String issuerUri, String jwkSetUri, String issuer, @DefaultValue List<String> audiences,
                      @DefaultValue("roles") String rolesClaim, @DefaultValue("2s") Duration connectTimeout,
                      @DefaultValue("3s") Duration readTimeout) {

        public Jwt {
            audiences = audiences == null ? List.of()
                    : audiences.stream().filter(Jwt::hasText).map(String::strip).toList();
            if (hasText(issuerUri) || hasText(jwkSetUri)) {
                ConfigChecks.check(!audiences.isEmpty(), "ctagent.security.jwt.audiences",
                        "is required when JWT is on (issuer-uri or jwk-set-uri is set): name this agent's "
                                + "audience at the identity provider, so that tokens it issued to other clients "
                                + "are refused");
                ConfigChecks.check(hasText(issuerUri) || hasText(issuer), "ctagent.security.jwt.issuer",
                        "is required with jwk-set-uri alone: the tokens' iss must be checked, or any client of "
                                + "an identity provider that shares the keys could sign in here");
                ConfigChecks.check(!hasText(issuerUri) || !hasText(issuer) || issuer.strip().equals(issuerUri.strip()),
                        "ctagent.security.jwt.issuer", "differs from issuer-uri; set only one of them");
            }
            ConfigChecks.required("ctagent.security.jwt.connect-timeout", connectTimeout);
            ConfigChecks.required("ctagent.security.jwt.read-timeout", readTimeout);
        }

        public boolean enabled() {
            return hasText(issuerUri) || hasText(jwkSetUri);
        }

        /** The {@code iss} every token must carry. */
        public String expectedIssuer() {
            return hasText(issuer) ? issuer.strip() : issuerUri.strip();
        }

        private static boolean hasText(String value) {
            return value != null && !value.isBlank();
        }
    }
}
