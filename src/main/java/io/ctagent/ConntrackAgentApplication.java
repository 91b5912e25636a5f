package io.ctagent;

import java.time.Clock;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

import io.ctagent.launch.CommandLine;

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
        CommandLine.run(ConntrackAgentApplication.class, args);
    }
}
