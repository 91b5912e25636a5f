package io.ctagent.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ctagent.tuning.Recommendation.RecommendedSetting;

class TimeoutAdviceTest {

    @Test
    void theEstablishedTimeoutCoversKeepaliveAndNoMore() {
        List<RecommendedSetting> items = TimeoutAdvice.advise(Map.of(TimeoutAdvice.ESTABLISHED, 432000L), 7200, 9, 75);

        assertThat(items).singleElement().satisfies(item -> {
            assertThat(item.recommended()).isEqualTo(7875);
            assertThat(item.reason()).contains("7200 + 9 x 75 = 7875");
        });
    }

    @Test
    void aShorterEstablishedTimeoutIsKept() {
        assertThat(TimeoutAdvice.advise(Map.of(TimeoutAdvice.ESTABLISHED, 3600L), 7200, 9, 75))
                .singleElement().satisfies(item -> assertThat(item.recommended()).isEqualTo(3600));
    }

    @Test
    void closingStatesGoBackToTheKernelDefaultOnlyWhenRaised() {
        List<RecommendedSetting> items = TimeoutAdvice.advise(Map.of(TimeoutAdvice.TIME_WAIT, 600L, TimeoutAdvice.FIN_WAIT, 120L,
                TimeoutAdvice.CLOSE_WAIT, 30L), 7200, 9, 75);

        assertThat(items).extracting(RecommendedSetting::key, RecommendedSetting::recommended).containsExactly(
                org.assertj.core.groups.Tuple.tuple(TimeoutAdvice.TIME_WAIT, 120L),
                org.assertj.core.groups.Tuple.tuple(TimeoutAdvice.CLOSE_WAIT, 30L),
                org.assertj.core.groups.Tuple.tuple(TimeoutAdvice.FIN_WAIT, 120L));
    }
}
