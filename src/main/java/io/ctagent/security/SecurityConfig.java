package io.ctagent.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.header.HeaderWriterFilter;

import io.ctagent.change.Refusals;
import jakarta.servlet.DispatcherType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stateless and deny by default: API keys (X-API-Key or Authorization: Bearer), optionally bearer JWTs, then the rules
 * of {@link AccessRules}; anything else is 403.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    /** Picked up by authorizeHttpRequests: admin > operator > viewer, admin > auditor. */
    @Bean
    static RoleHierarchy roleHierarchy() {
        return Role.HIERARCHY;
    }

    /**
     * No Micrometer observation around each security filter, authentication and authorization:
     * a dozen observations per request is a cost on every read, and http.server.requests already
     * times every request (401s and 403s included).
     */
    @Bean
    static SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /** The strict firewall's rules, checked without regular expressions ({@link Firewall}). */
    @Bean
    static WebSecurityCustomizer firewall() {
        return web -> web.httpFirewall(Firewall.strict());
    }

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeys keys, ApiSecurityProperties properties,
                                    Refusals refusals, JsonMapper json) throws Exception {
        AccessRules rules = new AccessRules(properties.publicMetrics());
        DeniedResponses denied = new DeniedResponses(rules, refusals, json, properties.jwt().enabled());
        http
                .csrf(csrf -> csrf.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                // nosniff, DENY framing and one Cache-Control: no-store. Not the HTTP/1.0 Pragma and
                // Expires, nor X-XSS-Protection (it only switched off an auditor browsers dropped):
                // every header is written on every read.
                .headers(headers -> headers.withObjectPostProcessor(new EagerHeaders())
                        .cacheControl(cache -> cache.disable())
                        .xssProtection(xss -> xss.disable())
                        .addHeaderWriter(new StaticHeadersWriter(HttpHeaders.CACHE_CONTROL, "no-store")))
                // Stateless, without the session filters: the context lives in the request. The
                // servlet-API request wrapper only where it is asked for (ActuatorServletApi).
                .sessionManagement(session -> session.disable())
                .securityContext(context -> context.securityContextRepository(
                        new RequestAttributeSecurityContextRepository()))
                .servletApi(servletApi -> servletApi.disable())
                .addFilterAfter(new ActuatorServletApi(), AnonymousAuthenticationFilter.class)
                .exceptionHandling(exceptions -> exceptions
                        .authenticationEntryPoint(denied)
                        .accessDeniedHandler(denied))
                .addFilterBefore(new ApiKeyFilter(keys, denied, properties.jwt().enabled()), BearerTokenAuthenticationFilter.class)
                .authorizeHttpRequests(requests -> {
                    // Error and async dispatches belong to a request that was already authorized.
                    requests.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC).permitAll();
                    requests.anyRequest().access(rules);
                });
        ApiSecurityProperties.Jwt jwt = properties.jwt();
        if (jwt.enabled()) {
            http.oauth2ResourceServer(server -> server
                    .jwt(token -> token.decoder(decoder(jwt)).jwtAuthenticationConverter(new JwtRoles(jwt.rolesClaim())))
                    .authenticationEntryPoint(denied)
                    .accessDeniedHandler(denied));
        }
        return http.build();
    }

    /**
     * Security headers written before the request is handled, not on commit: the on-commit
     * wrapper passes the body to the container one byte at a time (about 5% of the usage read
     * in a profile). A controller can still set its own Cache-Control after.
     */
    static final class EagerHeaders implements ObjectPostProcessor<HeaderWriterFilter> {
        @Override
        public <O extends HeaderWriterFilter> O postProcess(O filter) {
            filter.setShouldWriteHeadersEagerly(true);
            return filter;
        }
    }

    /** The identity provider's tokens, checked as {@link IdentityProvider} says. */
    static JwtDecoder decoder(ApiSecurityProperties.Jwt jwt) {
        return IdentityProvider.decoder(jwt, java.time.Clock.systemUTC());
    }
}
