package io.ctagent.entries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ctagent.problem.InvalidInput;

class PageCursorTest {

    private final long scope = PageCursor.scopeOf(EntryFilterTest.filter("protocol", "udp"), "(own)");

    @Test
    void roundTrips() {
        PageCursor cursor = new PageCursor(200, scope, 0xDEADBEEFL);

        PageCursor negative = new PageCursor(1, scope, -42);

        assertThat(PageCursor.parse(cursor.encode(), scope)).isEqualTo(cursor);
        assertThat(PageCursor.parse(negative.encode(), scope)).isEqualTo(negative);
        assertThat(cursor.encode()).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void aCursorOfAnotherFilterOrNamespaceIsRefused() {
        String cursor = new PageCursor(100, scope, 1).encode();
        long otherFilter = PageCursor.scopeOf(EntryFilterTest.filter("protocol", "tcp"), "(own)");
        long otherNetns = PageCursor.scopeOf(EntryFilterTest.filter("protocol", "udp"), "lab1");

        assertThatThrownBy(() -> PageCursor.parse(cursor, otherFilter))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("cursor"));
        assertThatThrownBy(() -> PageCursor.parse(cursor, otherNetns)).isInstanceOf(InvalidInput.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "!!!", "YzEuLTEuMC4w", "YzIuMTAuMC4w", "YzEuMTAuMA"})
    void garbageIsA400NamingCursor(String text) {
        assertThatThrownBy(() -> PageCursor.parse(text, scope))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("cursor"));
    }
}
