package io.ctagent.entries;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.http.HttpStatus;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

import io.ctagent.problem.ProblemResponse;
import io.ctagent.security.Callers;
import io.ctagent.security.Role;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * At most {@code ctagent.entries.max-concurrent} reads that walk the whole table at once (entries,
 * their summary, the diagnosis): each holds a request thread and up to
 * {@link GroupCounter#bytesAtMost} of heap for as long as a pass takes, so a caller asking for many
 * in parallel could otherwise take every thread and the heap. One more is answered at once with 429
 * and Retry-After, never queued. Registered after Spring Security (the default order of a filter
 * registration), so only authenticated callers take a permit; a streamed answer keeps its permit
 * until it ends. The last permit is an operator's: viewers alone cannot take every one.
 */
class HeavyReads extends OncePerRequestFilter {

    static final int RETRY_AFTER_SECONDS = 2;
    private static final UrlPathHelper PATHS = new UrlPathHelper();

    private final Semaphore permits;
    private final int max;

    HeavyReads(EntriesProperties properties) {
        this.max = properties.maxConcurrent();
        this.permits = new Semaphore(max);
    }

    static boolean isHeavy(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod())) {
            return false;
        }
        // Decoded, as the access rules and the handler mapping see it: /api/v1/%64iagnosis is the diagnosis.
        String path = PATHS.getPathWithinApplication(request);
        return path.equals("/api/v1/conntrack/entries") || path.equals("/api/v1/conntrack/entries/summary")
                || path.equals("/api/v1/diagnosis");
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !isHeavy(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!acquire(Callers.has(Role.OPERATOR))) {
            tooMany(request, response);
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                permits.release();
            }
        };
        try {
            chain.doFilter(request, response);
        } finally {
            if (request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new ReleaseWhenDone(release));
            } else {
                release.run();
            }
        }
    }

    /**
     * A permit; the last one is kept for operators and admins (when there are two or more): however
     * many slow reads viewers hold, the operator at the console still gets the diagnosis.
     */
    private boolean acquire(boolean operator) {
        if (operator || max == 1) {
            return permits.tryAcquire();
        }
        synchronized (permits) {
            return permits.availablePermits() > 1 && permits.tryAcquire();
        }
    }

        private void tooMany(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ProblemResponse.write(request, response, HttpStatus.TOO_MANY_REQUESTS, "too-many-heavy-reads",
                "Too many table reads at once", max + " reads of the whole table (entries, summary, diagnosis) "
                        + "are running, the most ctagent.entries.max-concurrent allows at once. Retry after "
                        + RETRY_AFTER_SECONDS + " s, or narrow the question (a filter, a page) so each pass ends sooner.",
                RETRY_AFTER_SECONDS);
    }

    /** A configuration, not a component: web slices of a controller test do without it. */
    @Configuration(proxyBeanMethods = false)
    static class Registration {
        @Bean
        FilterRegistrationBean<HeavyReads> heavyReads(EntriesProperties properties) {
            return new FilterRegistrationBean<>(new HeavyReads(properties));
        }
    }

    /** A streamed answer ends (or fails, or times out) on another thread: the permit goes back then. */
    private record ReleaseWhenDone(Runnable release) implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            release.run();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            release.run();
        }

        @Override
        public void onError(AsyncEvent event) {
            release.run();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // the same request going on: keep the permit
        }
    }
}
