package io.ctagent.hostagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import io.ctagent.problem.OperatorProblem;

class MutationLockTest {

    @Test
    void aSecondChangeWaitsForTheFirstAndGivesUpWithA503() throws Exception {
        MutationLock lock = new MutationLock(Duration.ofMillis(200));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread first = new Thread(() -> lock.exclusive(() -> {
            holding.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        first.start();
        assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> lock.exclusive(() -> "second"))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        problem -> assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE));

        release.countDown();
        first.join(5000);
        assertThat(lock.exclusive(() -> "third")).isEqualTo("third");
    }
}
