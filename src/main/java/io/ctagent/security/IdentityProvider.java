package io.ctagent.security;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.RequestEntity;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderInitializationException;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestTemplate;

/**
 * The portal's identity provider as the agent trusts it: tokens signed with an asymmetric key from
 * its JWK set (RS256/384/512, ES256/384/512; never HS* or none), issued by it ({@code iss}) for this
 * agent ({@code aud} one of the configured audiences), within their lifetime.
 *
 * <p>The JWK set (and the issuer's discovery document) is fetched with connect and read timeouts,
 * by one request at a time; while a fetch runs, and for {@link #BACK_OFF} after one failed, other
 * tokens are refused at once (401) instead of waiting: a slow or unreachable identity provider
 * cannot hold the request threads that API keys and probes need.
 */
final class IdentityProvider {

    /** After a failed fetch, tokens are refused without asking again for this long. */
    static final Duration BACK_OFF = Duration.ofSeconds(10);

    /** Asymmetric algorithms only: a shared secret would let whoever holds it mint admin tokens. */
    static final List<SignatureAlgorithm> ALGORITHMS = List.of(SignatureAlgorithm.RS256, SignatureAlgorithm.RS384,
            SignatureAlgorithm.RS512, SignatureAlgorithm.ES256, SignatureAlgorithm.ES384, SignatureAlgorithm.ES512);

    private IdentityProvider() {
    }

    /**
     * Built on the first token, not at start-up: an identity provider that is down must not stop
     * the agent (API keys keep working); tokens are refused with 401 until it answers.
     */
    static JwtDecoder decoder(ApiSecurityProperties.Jwt jwt, Clock clock) {
        GatedFetches fetches = new GatedFetches(jwt.connectTimeout(), jwt.readTimeout(), clock);
        JwtDecoder lazy = new SupplierJwtDecoder(() -> {
            NimbusJwtDecoder.JwkSetUriJwtDecoderBuilder builder = hasText(jwt.jwkSetUri())
                    ? NimbusJwtDecoder.withJwkSetUri(jwt.jwkSetUri().strip())
                    : NimbusJwtDecoder.withIssuerLocation(jwt.issuerUri().strip());
            NimbusJwtDecoder decoder = builder.restOperations(fetches)
                    .jwsAlgorithms(algorithms -> {
                        algorithms.clear();
                        algorithms.addAll(ALGORITHMS);
                    })
                    .build();
            decoder.setJwtValidator(validator(jwt));
            return decoder;
        });
        return token -> {
            try {
                return lazy.decode(token);
            } catch (JwtDecoderInitializationException unreachable) {
                throw new JwtException("the token issuer could not be reached to check it ("
                        + unreachable.getMessage() + ")", unreachable);
            }
        };
    }

    /** Lifetime, issuer and audience: a token the same provider issued to another client is not for us. */
    static OAuth2TokenValidator<Jwt> validator(ApiSecurityProperties.Jwt jwt) {
        List<String> audiences = jwt.audiences();
        return JwtValidators.createDefaultWithValidators(
                new JwtIssuerValidator(jwt.expectedIssuer()),
                new JwtClaimValidator<Collection<String>>(JwtClaimNames.AUD,
                        aud -> aud != null && aud.stream().anyMatch(audiences::contains)));
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }

    /** The HTTP client of the decoder: timeouts, one fetch at a time, and a pause after a failure. */
    static final class GatedFetches extends RestTemplate {

        private final ReentrantLock fetching = new ReentrantLock();
        private final Clock clock;
        private volatile long refusedUntil;

        GatedFetches(Duration connectTimeout, Duration readTimeout, Clock clock) {
            SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
            requests.setConnectTimeout(connectTimeout);
            requests.setReadTimeout(readTimeout);
            setRequestFactory(requests);
            this.clock = clock;
        }

        @Override
        public <T> ResponseEntity<T> exchange(RequestEntity<?> request, Class<T> type) {
            return gated(() -> super.exchange(request, type));
        }

        @Override
        public <T> ResponseEntity<T> exchange(RequestEntity<?> request, ParameterizedTypeReference<T> type) {
            return gated(() -> super.exchange(request, type));
        }

        private <T> T gated(Supplier<T> fetch) {
            if (clock.millis() < refusedUntil) {
                throw new ResourceAccessException("the identity provider did not answer a moment ago; "
                        + "the agent asks again in at most " + BACK_OFF.toSeconds() + " s");
            }
            if (!fetching.tryLock()) {
                throw new ResourceAccessException("the identity provider is being asked for its keys by another "
                        + "request; retry in a moment");
            }
            try {
                return fetch.get();
            } catch (RestClientException failed) {
                refusedUntil = clock.millis() + BACK_OFF.toMillis();
                throw failed;
            } finally {
                fetching.unlock();
            }
        }
    }
}
