package io.ctagent.monitor;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import io.ctagent.usage.SamplerProperties;

@WebMvcTest(NetnsController.class)
@AutoConfigureMockMvc(addFilters = false)
class NetnsHistoryApiTest {

    @Autowired
    MockMvc mvc;

    @MockitoBean
    NetnsInventory inventory;

    @MockitoBean
    NetnsSampler sampler;

    @BeforeEach
    void sampling() {
        given(sampler.properties()).willReturn(new SamplerProperties(Duration.ofSeconds(5), Duration.ofHours(1)));
    }

    @Test
    void theHistoryGivesTheFullestNamespaceAndDropsSummedOverNamespaces() throws Exception {
        given(sampler.window(Duration.ofMinutes(5), 4026532281L)).willReturn(new NetnsHistoryWindow(
                Duration.ofMinutes(5), Duration.ofSeconds(5), 4026532281L, List.of(new NetnsHistoryPoint(
                Instant.parse("2026-12-07T03:00:00Z"), 1000, 3, 4026532281L, "barslab-x", 993L, 99.3, 993L, 4.0,
                0.0, 0.5))));

        mvc.perform(get("/api/v1/netns/history").param("window", "5m").param("inode", "4026532281"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.points[0].fullestNetns").value("barslab-x"))
                .andExpect(jsonPath("$.points[0].fullestPercent").value(99.3))
                .andExpect(jsonPath("$.points[0].dropPerSecond").value(4.0))
                .andExpect(jsonPath("$.points[0].count").value(993));
    }

    @Test
    void aWindowBeyondTheKeptHistoryOrABadInodeIsA400NamingTheField() throws Exception {
        mvc.perform(get("/api/v1/netns/history").param("window", "2h"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value("window"));
        mvc.perform(get("/api/v1/netns/history").param("inode", "net:[1]"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("inode"));
        verify(sampler, never()).window(any(), any());
        verifyNoInteractions(inventory);
    }
}
