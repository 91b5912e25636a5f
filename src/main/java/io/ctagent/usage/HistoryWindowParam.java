package io.ctagent.usage;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ctagent.problem.InvalidInput;

/** Parses the `window` parameter: a positive number of s, m or h, at most the kept history. */
public final class HistoryWindowParam {

    private static final Pattern WINDOW = Pattern.compile("([1-9][0-9]{0,5})([smh])");

    private HistoryWindowParam() {
    }

    public static Duration parse(String text, Duration max) {
        Matcher m = WINDOW.matcher(text);
        if (!m.matches()) {
            throw new InvalidInput("window", "window must be a number followed by s, m or h, e.g. 15m");
        }
        long amount = Long.parseLong(m.group(1));
        Duration window = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (window.compareTo(max) > 0) {
            throw new InvalidInput("window", "window may be at most " + max.toMinutes()
                    + "m (ctagent.monitor.history)");
        }
        return window;
    }
}
