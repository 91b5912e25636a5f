package io.ctagent.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;

@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

    @Bean
    OpenAPI conntrackAgentOpenApi() {
        return new OpenAPI().info(new Info()
                .title("conntrack-agent")
                .version("v1")
                .description("Read and tune Linux connection tracking (nf_conntrack) on this host: usage, "
                        + "statistics, sysctls, hash size, entries, flushes and NOTRACK rules. Every change is "
                        + "audited. Errors are RFC 9457 problem+json.")
                .license(new License().name("Apache-2.0")));
    }
}
