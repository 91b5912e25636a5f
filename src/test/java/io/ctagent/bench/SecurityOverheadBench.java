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
import io.ctagent.testsupport.FakeHost;
import jakarta.servlet.Filter;

/**
 * Two agents for bench/security-overhead.sh: one with security and a viewer key, one with the
 * security filter chain taken out of the servlet container. Both run in this JVM (same JIT, same
 * heap) on loopback and read the same fake /proc; the script drives them with wrk in alternating
 * rounds. Prints their URLs, the key and the chain's own cost, then serves until stdin closes.
 * Not a test.
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
        FakeHost host = FakeHost.create("bench");
        try (ConfigurableApplicationContext secured = start(host, "secured", false);
             ConfigurableApplicationContext open = start(host, "open", true, "--" + NO_SECURITY_FILTER)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            check(http, HttpRequest.newBuilder(usage(secured)).header("X-API-Key", KEY).build(), 200,
                    "secured agent with the key");
            check(http, HttpRequest.newBuilder(usage(secured)).build(), 401, "secured agent without a key");
            check(http, HttpRequest.newBuilder(usage(open)).build(), 200, "agent without the security filter");
            double chainMicros = chainAlone(secured, 20_000);
            System.out.printf(Locale.ROOT, "chain_us %.1f%n", chainMicros);
            System.out.printf(Locale.ROOT, "secured %s%nopen %s%nkey %s%n", usage(secured), usage(open), KEY);
            System.out.println("ready");
            System.out.flush();
            // Serves until the script closes stdin.
            while (System.in.read() >= 0) {
                // discard
            }
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
}
