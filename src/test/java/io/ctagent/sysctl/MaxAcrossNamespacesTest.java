package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.ctagent.monitor.NetnsSummary;

/** Which namespaces a new global max leaves over the limit, and how they are named. */
class MaxAcrossNamespacesTest {

    private static NetnsSummary ns(String name, Long count) {
        return new NetnsSummary(4026532000L, name, false, count, null, "nsenter", 0, List.of());
    }

    @Test
    void countsAtOrAboveTheNewMaxAreOverFullestFirst() {
        NetnsSummary a = ns("a", 100L);
        NetnsSummary b = ns("b", 300L);
        NetnsSummary unknown = ns("c", null);

        assertThat(MaxAcrossNamespaces.over(99, List.of(a, b, unknown))).containsExactly(b, a);
        // A count equal to max is a full table: the next new connection is dropped.
        assertThat(MaxAcrossNamespaces.over(100, List.of(a, b, unknown))).containsExactly(b, a);
        assertThat(MaxAcrossNamespaces.over(101, List.of(a, b, unknown))).containsExactly(b);
        assertThat(MaxAcrossNamespaces.over(300, List.of(a, b, unknown))).containsExactly(b);
        assertThat(MaxAcrossNamespaces.over(301, List.of(a, b, unknown))).isEmpty();
    }

    @Test
    void aMaxJustAboveACountWarnsOfLittleRoom() {
        List<NetnsSummary> namespaces = List.of(ns("a", 100L), ns("b", 300L));

        assertThat(MaxAcrossNamespaces.littleRoom(SysctlKey.MAX, 301, namespaces)).hasValueSatisfying(warning ->
                assertThat(warning).contains("leaves 1 free entries above the 300 tracked now in namespace b"));
        assertThat(MaxAcrossNamespaces.littleRoom(SysctlKey.MAX, 333, namespaces)).isPresent();
        assertThat(MaxAcrossNamespaces.littleRoom(SysctlKey.MAX, 340, namespaces)).isEmpty();
    }

    @Test
    void theRefusalNamesEachNamespaceWithItsCount() {
        String refusal = MaxAcrossNamespaces.refusal(SysctlKey.MAX, 99, List.of(ns("b", 300L), ns("a", 100L)));

        assertThat(refusal).contains("= 99 is at or below the 300 entries tracked now in namespace b",
                "and the 100 entries tracked now in namespace a", "max is global");
    }

    @Test
    void belowThePeakOnlyWhenStrictlyBelow() {
        assertThat(MaxAcrossNamespaces.belowPeak(SysctlKey.MAX, 999, 1000, "namespace b", "60 min"))
                .hasValueSatisfying(warning -> assertThat(warning).contains("peak of 1000 entries", "namespace b"));
        assertThat(MaxAcrossNamespaces.belowPeak(SysctlKey.MAX, 1000, 1000, "namespace b", "60 min")).isEmpty();
    }
}
