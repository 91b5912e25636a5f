package io.ctagent.security;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

import io.ctagent.testsupport.FakeHost;

/**
 * Bearer JWTs from a portal: a key pair made here, its JWK set served from 127.0.0.1 by an
 * in-test server, roles read from a nested claim as Keycloak sends them.
 */
@SpringBootTest(properties = "ctagent.security.jwt.roles-claim=realm_access.roles")
@AutoConfigureMockMvc
class JwtTest {

    static final String ISSUER = "https://portal.example.test/realms/ops";
    static final String AUDIENCE = "conntrack-agent";
    static final FakeHost HOST = FakeHost.create("jwt");
    static final KeyPair SIGNING = rsa();
    static final KeyPair STRANGER = rsa();
    static final HttpServer JWKS = serve(SIGNING);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestKeys.register(registry, HOST);
        registry.add("ctagent.security.jwt.issuer-uri", () -> ISSUER);
        registry.add("ctagent.security.jwt.audiences", () -> AUDIENCE + ",conntrack-agent-eu");
        registry.add("ctagent.security.jwt.jwk-set-uri",
                () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/jwks");
    }

    @AfterAll
    static void stop() {
        JWKS.stop(0);
    }

    @Autowired
    MockMvc mvc;

    @Test
    void anOperatorTokenReadsButCannotSeeTheAudit() throws Exception {
        String token = token(SIGNING, ISSUER, "alice", List.of("operator"), 300);
        mvc.perform(get("/api/v1/conntrack/usage").header("Authorization", "Bearer " + token))
                .andExpect(status().isOk());
        mvc.perform(get("/api/v1/audit").header("Authorization", "Bearer " + token))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.detail", org.hamcrest.Matchers.containsString("jwt:alice")));
    }

    @Test
    void anAuditorTokenSeesTheDenialOfAliceWithHerName() throws Exception {
        mvc.perform(get("/api/v1/audit/verify")
                .header("Authorization", "Bearer " + token(SIGNING, ISSUER, "alice", List.of("viewer"), 300)));
        mvc.perform(get("/api/v1/audit").param("actor", "jwt:alice").param("result", "DENIED")
                        .header("Authorization", "Bearer " + token(SIGNING, ISSUER, "bob", List.of("auditor"), 300)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.records[0].actor").value("jwt:alice"));
    }

    @Test
    void unknownRoleNamesGiveNothing() throws Exception {
        String token = token(SIGNING, ISSUER, "carol", List.of("superuser"), 300);
        mvc.perform(get("/api/v1/conntrack/usage").header("Authorization", "Bearer " + token))
                .andExpect(status().isForbidden());
    }

    @Test
    void aTokenSignedByAnotherKeyIs401() throws Exception {
        String token = token(STRANGER, ISSUER, "mallory", List.of("admin"), 300);
        mvc.perform(get("/api/v1/conntrack/usage").header("Authorization", "Bearer " + token))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:unauthenticated"));
    }

    @Test
    void anExpiredTokenIs401() throws Exception {
        String token = token(SIGNING, ISSUER, "alice", List.of("admin"), -600);
        mvc.perform(get("/api/v1/conntrack/usage").header("Authorization", "Bearer " + token))
                .andExpect(status().isUnauthorized());
    }

    @Test
    void aTokenFromAnotherIssuerIs401() throws Exception {
        String token = token(SIGNING, "https://elsewhere.example.test", "alice", List.of("admin"), 300);
        mvc.perform(get("/api/v1/conntrack/usage").header("Authorization", "Bearer " + token))
                .andExpect(status().isUnauthorized());
    }

    @Test
    void aTokenTheSameProviderIssuedToAnotherClientIs401() throws Exception {
        String token = token(SIGNING, ISSUER, "grafana", "alice", List.of("admin"), 300);
        mvc.perform(get("/api/v1/conntrack/usage").header("Authorization", "Bearer " + token))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.detail", org.hamcrest.Matchers.containsString("aud")));
        String noAudience = token(SIGNING, ISSUER, null, "alice", List.of("admin"), 300);
        mvc.perform(get("/api/v1/conntrack/usage").header("Authorization", "Bearer " + noAudience))
                .andExpect(status().isUnauthorized());
    }

    @Test
    void anyConfiguredAudienceIsAccepted() throws Exception {
        String token = token(SIGNING, ISSUER, "conntrack-agent-eu", "alice", List.of("viewer"), 300);
        mvc.perform(get("/api/v1/conntrack/usage").header("Authorization", "Bearer " + token))
                .andExpect(status().isOk());
    }

    @Test
    void aTokenSignedWithASharedSecretIs401EvenWithThePublicKeyAsSecret() throws Exception {
        // HS256 keyed with the provider's public key: the classic algorithm-confusion forgery.
        byte[] secret = SIGNING.getPublic().getEncoded();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("test-key").build(),
                claims(ISSUER, AUDIENCE, "mallory", List.of("admin"), 300));
        forged.sign(new MACSigner(secret));
        mvc.perform(get("/api/v1/conntrack/usage").header("Authorization", "Bearer " + forged.serialize()))
                .andExpect(status().isUnauthorized());
    }

    @Test
    void anUnsignedTokenIs401() throws Exception {
        String none = new PlainJWT(claims(ISSUER, AUDIENCE, "mallory", List.of("admin"), 300)).serialize();
        mvc.perform(get("/api/v1/conntrack/usage").header("Authorization", "Bearer " + none))
                .andExpect(status().isUnauthorized());
    }

    @Test
    void apiKeysKeepWorkingAlongsideTokens() throws Exception {
        mvc.perform(get("/api/v1/conntrack/usage").header(ApiKeys.HEADER, TestKeys.VIEWER))
                .andExpect(status().isOk());
        mvc.perform(get("/api/v1/conntrack/usage")).andExpect(status().isUnauthorized());
    }

    @Test
    void aBearerValueThatIsAConfiguredKeyIsThatKeyAndAnythingElseIsAToken() throws Exception {
        mvc.perform(get("/actuator/prometheus").header("Authorization", "Bearer " + TestKeys.VIEWER))
                .andExpect(status().isOk());
        mvc.perform(get("/api/v1/conntrack/usage").header("Authorization", "Bearer " + TestKeys.WRONG))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.detail", org.hamcrest.Matchers.containsString("bearer token was rejected")));
    }

    static String token(KeyPair keys, String issuer, String subject, List<String> roles, long validSeconds) {
        return token(keys, issuer, AUDIENCE, subject, roles, validSeconds);
    }

    static String token(KeyPair keys, String issuer, String audience, String subject, List<String> roles,
                        long validSeconds) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("test-key").build(),
                claims(issuer, audience, subject, roles, validSeconds));
        try {
            jwt.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    static JWTClaimsSet claims(String issuer, String audience, String subject, List<String> roles, long validSeconds) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(subject)
                .issueTime(Date.from(now.minusSeconds(700)))
                .expirationTime(Date.from(now.plusSeconds(validSeconds)))
                .claim("realm_access", Map.of("roles", roles))
                .build();
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpServer serve(KeyPair keys) {
        byte[] jwks = new JWKSet(new RSAKey.Builder((RSAPublicKey) keys.getPublic()).keyID("test-key").build())
                .toString().getBytes(StandardCharsets.UTF_8);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/jwks", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, jwks.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(jwks);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
