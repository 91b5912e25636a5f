package io.ctagent.security;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import io.ctagent.testsupport.FakeHost;

@SpringBootTest(properties = "ctagent.security.public-metrics=true")
@AutoConfigureMockMvc
class PublicMetricsTest {

    static final FakeHost HOST = FakeHost.create("metrics");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestKeys.register(registry, HOST);
    }

    @Autowired
    MockMvc mvc;

    @Test
    void prometheusCanBeScrapedWithoutAKeyWhenMadePublic() throws Exception {
        mvc.perform(get("/actuator/prometheus")).andExpect(status().isOk());
        // Only metrics: the API still needs a key.
        mvc.perform(get("/api/v1/conntrack/usage")).andExpect(status().isUnauthorized());
    }
}
