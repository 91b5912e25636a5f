package io.ctagent.notrack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.Tool;

/** Picks the NOTRACK backend once at start-up. */
@Configuration(proxyBeanMethods = false)
class NotrackConfig {

    private static final Logger log = LoggerFactory.getLogger(NotrackConfig.class);

    @Bean
    NotrackBackend notrackBackend(NotrackProperties properties, HostAgent host, IptablesTables tables) {
        NotrackBackend backend = choose(properties.backend(), host.tools().find(Tool.NFT).isPresent(), host,
                tables);
        log.info("NOTRACK backend {} (configured {})", backend.name(), properties.backend());
        return backend;
    }

    /** auto prefers nft when it is installed; a missing tool is reported (503) when a rule is used. */
    static NotrackBackend choose(NotrackProperties.BackendChoice choice, boolean nftInstalled, HostAgent host,
                                 IptablesTables tables) {
        return switch (choice) {
            case NFTABLES -> new NftablesBackend(host);
            case IPTABLES -> new IptablesBackend(host, tables);
            case AUTO -> nftInstalled ? new NftablesBackend(host) : new IptablesBackend(host, tables);
        };
    }
}
