package io.ctagent.notrack;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.regex.Pattern;

import io.ctagent.problem.InvalidInput;

/**
 * A NOTRACK rule the agent owns: its id (the kernel tag is "ctagent:&lt;id&gt;"), what it matches
 * and when it was asked for. This is the desired state that reconcile restores.
 */
record NotrackRule(String id, RuleSpec spec, Instant createdAt) {

    static final String TAG_PREFIX = "ctagent:";
    /** The id of the agent's own system rule (see {@link Lifeline}); no generated id can take it. */
    static final String LIFELINE_ID = "lifeline";
    /** The ids in "ctagent:&lt;id&gt;" tags: generated ones and the lifeline. */
    static final String ID_PATTERN = "[0-9a-f]{8}|" + LIFELINE_ID;
    private static final Pattern ID = Pattern.compile(ID_PATTERN);
    private static final SecureRandom RANDOM = new SecureRandom();

    static String newId() {
        byte[] bytes = new byte[4];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Checks a rule id from a URL before it is used anywhere. */
    static String parseId(String text) {
        if (text == null || !ID.matcher(text).matches()) {
            throw new InvalidInput("id", "a rule id is 8 lower-case hex digits, as returned when the rule was created, "
                    + "or lifeline");
        }
        return text;
    }

    /** The comment that marks this rule as the agent's in the kernel. */
    String tag() {
        return TAG_PREFIX + id;
    }
}
