package io.ctagent.hostagent;

import java.util.List;

/**
 * What one host write did. {@code commands} are the argument lists run; an entry whose first
 * element is not an absolute path ("write", "rename") is a write the agent did itself in
 * direct mode. {@code results} holds exit codes and durations of the steps actually run, in order:
 * the commands, and in direct mode the agent's own writes (exit code 0, or 1 with the error as
 * stderr); a step after a failed one is in {@code commands} but not here.
 */
public record HostWrite(List<List<String>> commands, boolean succeeded, WriteError error, String message,
                        List<CommandResult> results, long durationMillis) {

    static HostWrite ok(List<List<String>> commands, List<CommandResult> results, long durationMillis) {
        return new HostWrite(List.copyOf(commands), true, null, null, List.copyOf(results), durationMillis);
    }

    static HostWrite failed(List<List<String>> commands, WriteError error, String message,
                            List<CommandResult> results, long durationMillis) {
        return new HostWrite(List.copyOf(commands), false, error, message, List.copyOf(results), durationMillis);
    }
}
