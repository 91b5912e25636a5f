package io.ctagent.web;

import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import org.springdoc.core.utils.SpringDocUtils;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import tools.jackson.databind.JsonNode;

@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

    static {
        // A JsonNode field (an audit record's params, before and after) holds any JSON value: say so,
        // rather than describe Jackson's node class.
        SpringDocUtils.getConfig().replaceWithSchema(JsonNode.class,
                new Schema<>().description("any JSON value"));
    }

    static final String API_KEY = "apiKey";
    static final String BEARER = "bearer";

    /**
     * Both schemes are declared whatever the configuration, so the spec stays the same file;
     * either one satisfies a request (two requirements are alternatives in OpenAPI).
     */
    @Bean
    OpenAPI conntrackAgentOpenApi() {
        // A relative server keeps the spec identical on every host and behind path prefixes.
        return new OpenAPI().servers(List.of(new Server().url("/").description("this agent")))
                .info(new Info()
                .title("conntrack-agent")
                .version("v1")
                .description("Read and tune Linux connection tracking (nf_conntrack) on this host: usage, "
                        + "statistics, sysctls, hash size, entries, flushes and NOTRACK rules. Every change is "
                        + "audited. Errors are RFC 9457 problem+json. Authenticate with an API key in the "
                        + "X-API-Key header, or with a bearer JWT when the agent is configured for one.")
                .license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0")))
                .components(new Components()
                        .addSecuritySchemes(API_KEY, new SecurityScheme()
                                .type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.HEADER)
                                .name("X-API-Key")
                                .description("An API key; the agent stores only its SHA-256 hash"))
                        .addSecuritySchemes(BEARER, new SecurityScheme()
                                .type(SecurityScheme.Type.HTTP)
                                .scheme("bearer")
                                .bearerFormat("JWT")
                                .description("A JWT from the configured issuer (ctagent.security.jwt.*)")))
                .addSecurityItem(new SecurityRequirement().addList(API_KEY))
                .addSecurityItem(new SecurityRequirement().addList(BEARER));
    }
}
