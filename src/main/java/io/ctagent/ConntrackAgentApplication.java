package io.ctagent;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

import io.ctagent.launch.RootHelper;
import io.ctagent.launch.TrainingRun;
import io.ctagent.security.HashKeyCommand;

/** The conntrack-agent: a REST management service for one Linux host's connection tracking. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class ConntrackAgentApplication {

    /** The agent's clock, replaceable in tests. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    public static void main(String[] args) {
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
            System.exit(TrainingRun.run(ConntrackAgentApplication.class, args));
        }
        SpringApplication.run(ConntrackAgentApplication.class, args);
    }
}
