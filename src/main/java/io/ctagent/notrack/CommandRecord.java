package io.ctagent.notrack;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * A host command that was run, or would be run in a dry run.
 *
 * @param argv the exact argument list, absolute binary first (with sudo and nsenter when used)
 * @param stdin what is fed to the command: the nft script for `nft -f -`; null for none
 * @param exitCode its exit code; null when it was only planned
 * @param durationMillis how long it ran; null when it was only planned
 */
public record CommandRecord(List<String> argv, @Nullable String stdin, @Nullable Integer exitCode,
                            @Nullable Long durationMillis) {

    static CommandRecord planned(List<String> argv, String stdin) {
        return new CommandRecord(argv, stdin, null, null);
    }
}
