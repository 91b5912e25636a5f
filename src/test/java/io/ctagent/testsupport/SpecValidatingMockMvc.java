package io.ctagent.testsupport;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.MockMvcBuilderCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Registered for every {@code @AutoConfigureMockMvc} and {@code @WebMvcTest} through
 * META-INF/spring/...AutoConfigureMockMvc.imports, so each response of every MockMvc test is checked
 * against the committed spec ({@link SpecValidation}) without the test asking.
 */
@AutoConfiguration
public class SpecValidatingMockMvc {

    @Bean
    MockMvcBuilderCustomizer specValidation() {
        return builder -> builder.alwaysDo(SpecValidation.mockMvc());
    }
}
