package io.ctagent.entries;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class GroupCounterTest {

    @Test
    void countsExactlyWhileGroupsFit() {
        GroupCounter counter = new GroupCounter(2, 1000);
        Map<Long, Long> expected = new HashMap<>();
        Random random = new Random(7);
        for (int i = 0; i < 50_000; i++) {
            long group = random.nextInt(500);
            counter.add(new long[] {group, group * 31});
            expected.merge(group, 1L, Long::sum);
        }

        assertThat(counter.size()).isEqualTo(expected.size());
        assertThat(counter.maxUndercount()).isZero();
        int[] top = counter.top(500);
        for (int slot : top) {
            long group = counter.keys()[counter.offset(slot)];
            assertThat(counter.count(slot)).isEqualTo(expected.get(group));
        }
        for (int i = 1; i < top.length; i++) {
            assertThat(counter.count(top[i - 1])).isGreaterThanOrEqualTo(counter.count(top[i]));
        }
    }

    @Test
    void pastTheCapItPrunesAndStillFindsTheHeavyGroupsWithinTheStatedBound() {
        GroupCounter counter = new GroupCounter(1, 1000);
        Random random = new Random(11);
        // 200,000 entries: three heavy groups among ~150,000 singletons, in random order.
        long[] heavy = {-1, -2, -3};
        long[] heavyCounts = {20_000, 15_000, 10_000};
        long[] remaining = heavyCounts.clone();
        long singleton = 0;
        for (int i = 0; i < 200_000; i++) {
            int pick = random.nextInt(4);
            if (pick < 3 && remaining[pick] > 0) {
                counter.add(new long[] {heavy[pick]});
                remaining[pick]--;
            } else {
                counter.add(new long[] {singleton++});
            }
        }

        assertThat(counter.size()).isLessThanOrEqualTo(1000);
        assertThat(counter.maxUndercount()).isPositive();
        int[] top = counter.top(3);
        for (int i = 0; i < 3; i++) {
            assertThat(counter.keys()[counter.offset(top[i])]).isEqualTo(heavy[i]);
            long reported = counter.count(top[i]);
            long actual = heavyCounts[i] - remaining[i];
            assertThat(reported).isLessThanOrEqualTo(actual).isGreaterThanOrEqualTo(actual - counter.maxUndercount());
        }
    }

    @Test
    void tiesComeInKeyOrderSoAnswersAreStable() {
        GroupCounter counter = new GroupCounter(1, 100);
        for (long key : new long[] {9, 3, 5}) {
            counter.add(new long[] {key});
        }

        int[] top = counter.top(3);

        assertThat(new long[] {counter.keys()[top[0]], counter.keys()[top[1]], counter.keys()[top[2]]})
                .containsExactly(3, 5, 9);
    }
}
