package io.ctagent.tuning;

import static io.ctagent.testsupport.KeyedRequests.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.file.Files;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.usage.UsageHistory;

/** The observed peak is the highest sampled count, not just the count right now. */
@SpringBootTest
@AutoConfigureMockMvc
class RecommendationPeakTest {

    static final FakeHost HOST;

    static {
        try {
            HOST = FakeHost.copyTo(Files.createTempDirectory("ctagent-peak"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void hostRoots(DynamicPropertyRegistry registry) {
        FakeHost.register(registry, HOST.root(), "direct");
        registry.add("ctagent.monitor.interval", () -> "100ms");
        TestApiKeys.register(registry);
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    UsageHistory history;

    @Test
    void aPeakTheSamplerSawSizesTheTableAfterTheCountFell() throws Exception {
        HOST.write("proc/sys/net/netfilter/nf_conntrack_count", "600000\n");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (history.latest().map(sample -> sample.usage().count()).orElse(0L) != 600000
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(history.latest()).hasValueSatisfying(sample -> assertThat(sample.usage().count()).isEqualTo(600000));
        HOST.write("proc/sys/net/netfilter/nf_conntrack_count", "1000\n");

        // 2 x 600000 = 1200000, rounded up to a multiple of 65536: 1245184.
        mvc.perform(get("/api/v1/tuning/recommendation"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.inputs.observedPeak").value(600000))
                .andExpect(jsonPath("$.inputs.peakSource").value(containsString("sampled")))
                .andExpect(jsonPath("$.max.recommended").value(1245184));
    }
}
