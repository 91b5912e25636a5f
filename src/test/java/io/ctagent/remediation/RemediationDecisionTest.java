package io.ctagent.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.ctagent.remediation.RemediationDecision.Action;

class RemediationDecisionTest {

    private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");
    private static final Duration COOLDOWN = Duration.ofSeconds(60);

    private static RemediationDecision decide(long max, long ceiling, Instant lastChange) {
        return RemediationDecision.decide(max, ceiling, true, null, 2, lastChange, COOLDOWN, NOW);
    }

    @Test
    void raisesByTheStepFactor() {
        RemediationDecision decision = decide(1000, 1_000_000, null);

        assertThat(decision.action()).isEqualTo(Action.RAISE);
        assertThat(decision.from()).isEqualTo(1000);
        assertThat(decision.to()).isEqualTo(2000);
    }

    @Test
    void neverAboveTheCeiling() {
        RemediationDecision decision = decide(1000, 1500, null);

        assertThat(decision.action()).isEqualTo(Action.RAISE);
        assertThat(decision.to()).isEqualTo(1500);
        assertThat(decision.why()).contains("capped at the ceiling 1500");
    }

    @Test
    void atTheCeilingChangesNothing() {
        assertThat(decide(1500, 1500, null).action()).isEqualTo(Action.AT_CEILING);
        assertThat(decide(1500, 1500, null).to()).isEqualTo(1500);
    }

    @Test
    void neverLowersAMaxAboveTheCeiling() {
        RemediationDecision decision = decide(4000, 1500, null);

        assertThat(decision.action()).isEqualTo(Action.AT_CEILING);
        assertThat(decision.to()).isEqualTo(4000);
    }

    @Test
    void atMostOneChangePerCooldown() {
        assertThat(decide(2000, 1_000_000, NOW.minusSeconds(59)).action()).isEqualTo(Action.COOLDOWN);
        assertThat(decide(2000, 1_000_000, NOW.minusSeconds(59)).to()).isEqualTo(2000);
        assertThat(decide(2000, 1_000_000, NOW.minusSeconds(60)).action()).isEqualTo(Action.RAISE);
    }

    @Test
    void aReadOnlyMaxIsLeftAloneWhatever() {
        RemediationDecision decision = RemediationDecision.decide(1000, 1_000_000, false,
                "the agent runs outside the initial network namespace", 2, null, COOLDOWN, NOW);

        assertThat(decision.action()).isEqualTo(Action.READ_ONLY);
        assertThat(decision.to()).isEqualTo(1000);
        assertThat(decision.why()).contains("outside the initial network namespace");
    }
}
