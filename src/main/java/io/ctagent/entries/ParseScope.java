package io.ctagent.entries;

/**
 * How much of a line a pass needs parsed. A summary by protocol and state needs neither addresses nor
 * anything after the original tuple, and skipping them roughly halves the work per line. Lines are
 * completed on demand (see {@link EntryLine#complete()}) when a whole entry is wanted after all.
 *
 * @param addresses parse addresses (src=, dst=)
 * @param rest parse past the original tuple: [UNREPLIED], the reply tuple, [ASSURED], mark, zone, use
 */
record ParseScope(boolean addresses, boolean rest) {

    static final ParseScope FULL = new ParseScope(true, true);
    static final ParseScope MINIMAL = new ParseScope(false, false);

    ParseScope with(ParseScope other) {
        return new ParseScope(addresses || other.addresses, rest || other.rest);
    }

    boolean isFull() {
        return addresses && rest;
    }
}
