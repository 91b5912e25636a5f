package io.ctagent.launch;

import org.springframework.boot.SpringApplication;

import io.ctagent.security.HashKeyCommand;

/**
 * What the agent's command line asks for: a tool that runs and exits ({@code --root-helper},
 * {@code --hash-key}, {@code --cds-training}), or else the agent itself.
 */
public final class CommandLine {

    private CommandLine() {
    }

    /** Runs the tool the arguments name, or starts the agent; a tool's non-zero result is the exit code. */
    public static void run(Class<?> application, String[] args) {
        // `--root-helper` (first): the sudo-mode root helper, run through bin/conntrack-agent-root; never a server.
        if (RootHelper.requested(args)) {
            System.exit(RootHelper.run(args));
        }
        // `--hash-key` prints the SHA-256 of a key read from stdin and never starts the server.
        if (HashKeyCommand.requested(args)) {
            int code = HashKeyCommand.run(System.in, System.out, System.err);
            if (code != 0) {
                System.exit(code);
            }
            return;
        }
        // `--cds-training` runs a dry run that serves a few reads and stops (bin/conntrack-agent --prepare).
        if (TrainingRun.requested(args)) {
            System.exit(TrainingRun.run(application, args));
        }
        SpringApplication.run(application, args);
    }
}
