package io.ctagent.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import io.ctagent.ConntrackAgentApplication;
import io.ctagent.testing.FakeHost;
import jakarta.servlet.Filter;

/**
 * Throughput of GET /api/v1/conntrack/usage with a valid API key against the same read with
 * the security filter chain taken out of the servlet container. Both agents run in this JVM on
 * loopback, read the same fake /proc, and are measured in alternating rounds so that warm-up
 * and machine noise hit both alike. Not a test: run bench/security-overhead.sh.
 *
 * <p>Arguments: [requests per round (default 2000)] [rounds (default 15)]
 */
public final class SecurityOverheadBench {

    static final String KEY = "bench-viewer-key-6f0c1d2e3a4b5c6d7e8f";
    static final String NO_SECURITY_FILTER = "spring.autoconfigure.exclude="
            + "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration";

    /**
     * Security off: without Boot's registration, the filter chain bean would still be picked up as
     * a plain Filter, so it is registered here explicitly, disabled. Only this benchmark does it.
     */
    @Configuration(proxyBeanMethods = false)
    static class SecurityFilterOff {
        @Bean
        FilterRegistrationBean<Filter> securityFilterOff(@Qualifier("springSecurityFilterChain") Filter chain) {
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(chain);
            registration.setEnabled(false);
            return registration;
        }
    }

    private SecurityOverheadBench() {
    }

    public static void main(String[] args) throws Exception {
        int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        FakeHost host = FakeHost.create("bench");
        try (ConfigurableApplicationContext secured = start(host, "secured", false);
             ConfigurableApplicationContext open = start(host, "open", true, "--" + NO_SECURITY_FILTER)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest withKey = HttpRequest.newBuilder(usage(secured)).header("X-API-Key", KEY).build();
            HttpRequest withoutSecurity = HttpRequest.newBuilder(usage(open)).build();
            HttpRequest noKey = HttpRequest.newBuilder(usage(secured)).build();
            check(http, withKey, 200, "secured agent with the key");
            check(http, noKey, 401, "secured agent without a key");
            check(http, withoutSecurity, 200, "agent without the security filter");

            // Warm-up: the JIT must have compiled both paths before anything is measured.
            for (int warm = 0; warm < 5; warm++) {
                run(http, withKey, perRound);
                run(http, withoutSecurity, perRound);
            }
            long securedNanos = 0;
            long openNanos = 0;
            double[] ratios = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                // Paired, alternating rounds: a burst of load from elsewhere hits both sides alike.
                long secured1 = run(http, withKey, perRound / 2);
                long open1 = run(http, withoutSecurity, perRound);
                long secured2 = run(http, withKey, perRound - perRound / 2);
                securedNanos += secured1 + secured2;
                openNanos += open1;
                ratios[round] = (double) open1 / (secured1 + secured2);
            }
            java.util.Arrays.sort(ratios);
            double median = ratios[rounds / 2];
            long total = (long) perRound * rounds;
            double securedRate = total / (securedNanos / 1e9);
            double openRate = total / (openNanos / 1e9);
            System.out.printf(Locale.ROOT, "usage read, %d requests each, one client, loopback HTTP/1.1, %d paired rounds%n",
                    total, rounds);
            System.out.printf(Locale.ROOT, "  with API key     : %8.0f req/s  %6.1f us/req%n", securedRate,
                    securedNanos / 1e3 / total);
            System.out.printf(Locale.ROOT, "  security off     : %8.0f req/s  %6.1f us/req%n", openRate,
                    openNanos / 1e3 / total);
            System.out.printf(Locale.ROOT, "  ratio (key / off): %.3f overall, %.3f median of rounds (min %.3f, max %.3f)%n",
                    securedRate / openRate, median, ratios[0], ratios[rounds - 1]);
            System.out.printf(Locale.ROOT, "  target: ratio >= 0.90 (within 10%%): %s%n", median >= 0.90 ? "met" : "NOT met");
            double chainMicros = chainAlone(secured, perRound * 2);
            System.out.printf(Locale.ROOT, "  security filter chain alone (in-process, no HTTP): %.1f us/req = %.1f%% of a secured read%n",
                    chainMicros, 100 * chainMicros / (securedNanos / 1e3 / total));
        }
    }

    static ConfigurableApplicationContext start(FakeHost host, String name, boolean securityOff, String... extra)
            throws Exception {
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(KEY.getBytes(StandardCharsets.UTF_8)));
        String[] args = {
                "--server.port=0",
                "--ctagent.host.proc-root=" + host.procRoot(),
                "--ctagent.host.sys-root=" + host.sysRoot(),
                "--ctagent.host.rootfs=" + host.rootfs(),
                "--ctagent.host.mode=dry-run",
                "--ctagent.audit.path=" + host.root().resolve("audit/" + name + ".jsonl"),
                "--ctagent.security.api-keys[0].name=bench",
                "--ctagent.security.api-keys[0].sha256=" + hash,
                "--ctagent.security.api-keys[0].roles=viewer",
                "--logging.level.root=WARN",
                "--spring.main.banner-mode=off",
        };
        String[] all = new String[args.length + extra.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        SpringApplicationBuilder builder = new SpringApplicationBuilder(ConntrackAgentApplication.class);
        if (securityOff) {
            builder.sources(SecurityFilterOff.class);
        }
        return builder.run(all);
    }

    /**
     * The chain's own cost, without sockets or the controller: less exposed to a busy machine
     * than the HTTP figures. Best of five runs after a warm-up.
     */
    static double chainAlone(ConfigurableApplicationContext context, int count) throws Exception {
        Filter chain = context.getBean("springSecurityFilterChain", Filter.class);
        double best = Double.MAX_VALUE;
        for (int run = 0; run < 6; run++) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/conntrack/usage");
                request.addHeader("X-API-Key", KEY);
                MockHttpServletResponse response = new MockHttpServletResponse();
                chain.doFilter(request, response, new MockFilterChain());
                if (response.getStatus() != 200) {
                    throw new IllegalStateException("the chain answered " + response.getStatus());
                }
            }
            double micros = (System.nanoTime() - start) / 1e3 / count;
            if (run > 0) {
                best = Math.min(best, micros);
            }
        }
        return best;
    }

    static URI usage(ConfigurableApplicationContext context) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return URI.create("http://127.0.0.1:" + port + "/api/v1/conntrack/usage");
    }

    static void check(HttpClient http, HttpRequest request, int status, String what) throws Exception {
        int got = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (got != status) {
            throw new IllegalStateException(what + " answered " + got + ", expected " + status);
        }
    }

    static long run(HttpClient http, HttpRequest request, int count) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("answered " + response.statusCode());
            }
        }
        return System.nanoTime() - start;
    }
}
