package io.ctagent.web;

import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.servers.Server;

@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

    @Bean
    OpenAPI conntrackAgentOpenApi() {
        // A relative server keeps the spec identical on every host and behind path prefixes.
        return new OpenAPI().servers(List.of(new Server().url("/").description("this agent")))
                .info(new Info()
                .title("conntrack-agent")
                .version("v1")
                .description("Read and tune Linux connection tracking (nf_conntrack) on this host: usage, "
                        + "statistics, sysctls, hash size, entries, flushes and NOTRACK rules. Every change is "
                        + "audited. Errors are RFC 9457 problem+json.")
                .license(new License().name("Apache-2.0")));
    }
}
