package io.ctagent.hostagent;

import java.util.List;

/**
 * What a host command did: its argv, exit code, captured output and how long it took.
 * An exit code of -1 means the command was killed by its timeout.
 */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr,
                            long durationMillis, boolean timedOut, boolean truncated) {

    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }
}
