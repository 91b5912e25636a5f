package io.ctagent.entries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The share threshold of the flush guard, at its boundaries. */
class FlushShareTest {

    @Test
    void exactlyTheShareNeedsNoConfirmationOneEntryMoreDoes() {
        assertThat(new FlushShare(150, 300).needsConfirmation(0.5, null)).isEmpty();
        assertThat(new FlushShare(151, 300).needsConfirmation(0.5, null)).hasValueSatisfying(
                why -> assertThat(why).contains("151 of 300", "50.3 %", "confirm-share"));
        assertThat(new FlushShare(1, 2).needsConfirmation(0.5, null)).isEmpty();
        assertThat(new FlushShare(3, 10).needsConfirmation(0.3, null)).isEmpty();
    }

    @Test
    void theWholeTableAndAThirdOfIt() {
        assertThat(new FlushShare(300, 300).needsConfirmation(0.5, null)).isPresent();
        assertThat(new FlushShare(100, 300).needsConfirmation(0.5, null)).isEmpty();
        assertThat(new FlushShare(1, 1).needsConfirmation(1.0, null)).isEmpty();
    }

    @Test
    void anEmptyTableOrNoMatchNeverNeedsConfirmation() {
        assertThat(new FlushShare(0, 0).needsConfirmation(0.5, 1L)).isEmpty();
        assertThat(new FlushShare(0, 10).needsConfirmation(0.01, null)).isEmpty();
        assertThat(new FlushShare(0, 0).share()).isZero();
    }

    @Test
    void theCountLimitIsStrictAndOptional() {
        assertThat(new FlushShare(100, 100_000).needsConfirmation(0.5, 100L)).isEmpty();
        assertThat(new FlushShare(101, 100_000).needsConfirmation(0.5, 100L)).hasValueSatisfying(
                why -> assertThat(why).contains("101 entries", "confirm-count"));
        assertThat(new FlushShare(100_000, 1_000_000).needsConfirmation(0.5, null)).isEmpty();
    }

    @Test
    void theSettingsAreChecked() {
        assertThatThrownBy(() -> new FlushProperties(0, null, Duration.ofMinutes(10))).hasMessageContaining("confirm-share");
        assertThatThrownBy(() -> new FlushProperties(1.5, null, Duration.ofMinutes(10))).hasMessageContaining("confirm-share");
        assertThatThrownBy(() -> new FlushProperties(0.5, 0L, Duration.ofMinutes(10))).hasMessageContaining("confirm-count");
        assertThat(new FlushProperties(1, 1L, Duration.ofMinutes(10)).confirmShare()).isEqualTo(1.0);
        assertThatThrownBy(() -> new FlushProperties(0.5, null, Duration.ofMinutes(-1)))
                .hasMessageContaining("ctagent.entries.flush.window");
    }
}
