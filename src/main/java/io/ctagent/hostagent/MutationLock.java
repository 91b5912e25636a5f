package io.ctagent.hostagent;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.problem.OperatorProblem;

/**
 * Serialises every change to the host: a change reads "before", writes and reads back, and
 * two interleaved changes would each record the other's value as their "before". Reads do
 * not take it. It is the agent's one mutation lock: sysctl, hashsize and rollback changes take
 * it, and so do flushes and NOTRACK changes. Reentrant, so a change may call another under it.
 */
@Component
public class MutationLock {

    private final ReentrantLock lock = new ReentrantLock(true);
    private final Duration wait;

    public MutationLock() {
        this(Duration.ofSeconds(30));
    }

    MutationLock(Duration wait) {
        this.wait = wait;
    }

    /** Runs the change while holding the lock; 503 when another change holds it for too long. */
    public <T> T exclusive(Supplier<T> change) {
        boolean locked;
        try {
            locked = lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            locked = false;
        }
        if (!locked) {
            throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "change-in-progress", "Another change is running",
                    "Another change to this host has been running for more than " + wait.toSeconds()
                            + " s; this one was not started. Retry when it has finished.");
        }
        try {
            return change.get();
        } finally {
            lock.unlock();
        }
    }
}
