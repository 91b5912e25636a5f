package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * An identity provider that accepts the connection and never answers (a hung IdP, the worst case:
 * a refused connection fails at once anyway). Tokens must be refused quickly, by many callers at
 * once, and no thread may be left waiting on it.
 */
class IdentityProviderTest {

    static final Duration CONNECT = Duration.ofMillis(500);
    static final Duration READ = Duration.ofMillis(700);

    @Test
    void aHungJwkSetIsAskedByOneRequestAtATimeAndEveryTokenIsRefusedQuickly() throws Exception {
        // Listening but never accepting: the kernel completes the handshake, no byte ever comes back.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ApiSecurityProperties.Jwt jwt = new ApiSecurityProperties.Jwt(null,
                    "http://127.0.0.1:" + silent.getLocalPort() + "/jwks", "https://idp.example.test", List.of("ctagent"),
                    "roles", CONNECT, READ);
            JwtDecoder decoder = IdentityProvider.decoder(jwt, Clock.systemUTC());
            String token = JwtTest.token(JwtTest.SIGNING, "https://idp.example.test", "alice", List.of("admin"), 300);

            ExecutorService callers = Executors.newFixedThreadPool(8);
            try {
                long start = System.nanoTime();
                List<Future<Throwable>> answers = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    answers.add(callers.submit(() -> {
                        try {
                            decoder.decode(token);
                            return null;
                        } catch (RuntimeException refused) {
                            return refused;
                        }
                    }));
                }
                for (Future<Throwable> answer : answers) {
                    assertThat(answer.get(5, TimeUnit.SECONDS)).isInstanceOf(JwtException.class);
                }
                long allAnswered = Duration.ofNanos(System.nanoTime() - start).toMillis();
                // One caller waits out the read timeout; the other seven are refused at once.
                assertThat(allAnswered).isLessThan(CONNECT.plus(READ).toMillis() + 1_000);
            } finally {
                callers.shutdownNow();
            }

            // Right after, a token is refused without asking the hung provider again.
            long start = System.nanoTime();
            assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtException.class)
                    .hasMessageContaining("identity provider did not answer");
            assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis()).isLessThan(200);

            assertThat(threadsInTheIdentityProviderClient()).as("no thread left waiting on the provider").isEmpty();
        }
    }

    @Test
    void onlyAsymmetricAlgorithmsAreAccepted() {
        assertThat(IdentityProvider.ALGORITHMS).extracting(Enum::name)
                .allMatch(name -> name.startsWith("RS") || name.startsWith("ES"));
    }

    private static List<String> threadsInTheIdentityProviderClient() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(thread -> Arrays.stream(thread.getValue())
                        .anyMatch(frame -> frame.getClassName().contains("IdentityProvider$GatedFetches")))
                .map(thread -> thread.getKey().getName())
                .toList();
    }
}
