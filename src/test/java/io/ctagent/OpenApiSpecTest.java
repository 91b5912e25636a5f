package io.ctagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The committed openapi/openapi.yaml must equal the spec the agent serves. To regenerate it:
 * {@code ./mvnw test -Dtest=OpenApiSpecTest -Dopenapi.write=true}.
 */
@SpringBootTest
@AutoConfigureMockMvc
class OpenApiSpecTest {

    private static final Path COMMITTED = Path.of("openapi/openapi.yaml");

    @Autowired
    MockMvc mvc;

    @Test
    void committedSpecEqualsTheServedSpec() throws Exception {
        String served = mvc.perform(get("/v3/api-docs.yaml")).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(served).contains("openapi:");

        if (Boolean.getBoolean("openapi.write")) {
            Files.createDirectories(COMMITTED.getParent());
            Files.writeString(COMMITTED, served);
        }

        assertThat(Files.exists(COMMITTED))
                .as("openapi/openapi.yaml is missing; regenerate it with -Dopenapi.write=true").isTrue();
        assertThat(served)
                .as("openapi/openapi.yaml differs from the served spec; regenerate it: "
                        + "./mvnw test -Dtest=OpenApiSpecTest -Dopenapi.write=true")
                .isEqualTo(Files.readString(COMMITTED));
    }
}
