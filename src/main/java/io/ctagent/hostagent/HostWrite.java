package io.ctagent.hostagent;

import java.util.List;

/**
 * What one host write did. {@code commands} are the argument lists run; an entry whose first
 * element is not an absolute path ("write", "rename") is a write the agent did itself in
 * direct mode. {@code results} holds exit codes and durations of the commands actually run.
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
