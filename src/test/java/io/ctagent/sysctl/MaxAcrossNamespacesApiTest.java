package io.ctagent.sysctl;

import static io.ctagent.testsupport.KeyedRequests.admin;
import static io.ctagent.testsupport.KeyedRequests.patch;
import static io.ctagent.testsupport.KeyedRequests.post;
import static io.ctagent.testsupport.KeyedRequests.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;

import io.ctagent.monitor.NetnsHistoryWindow;
import io.ctagent.monitor.NetnsInventory;
import io.ctagent.monitor.NetnsSampler;
import io.ctagent.monitor.NetnsSummary;
import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.usage.SamplerProperties;
import tools.jackson.databind.json.JsonMapper;

/**
 * The global max guarded across namespaces through PATCH and rollback, over the fake host: the agent's
 * own namespace tracks 235930 entries (fixture), a lab namespace listed by the inventory tracks more.
 * A max of 240000 is above the agent's own count, so only the other namespace can refuse it.
 */
@SpringBootTest
@AutoConfigureMockMvc
class MaxAcrossNamespacesApiTest {

    static final FakeRoot ROOT = new FakeRoot("ctagent-max-netns");
    static final AuditTrail AUDIT = AuditTrail.inTempDir("ctagent-max-netns-audit");
    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String MAX = "proc/sys/net/netfilter/nf_conntrack_max";
    static final String UDP = "proc/sys/net/netfilter/nf_conntrack_udp_timeout";
    static final long LAB_COUNT = 250_000;

    @DynamicPropertySource
    static void hostRoots(DynamicPropertyRegistry registry) {
        FakeHost.register(registry, java.nio.file.Path.of(ROOT.root()), "direct");
        TestApiKeys.register(registry);
        AUDIT.register(registry);
    }

    @Autowired
    MockMvc mvc;

    @MockitoBean
    NetnsInventory inventory;

    @MockitoBean
    NetnsSampler sampler;

    @BeforeEach
    void reset() {
        ROOT.reset();
        given(sampler.properties()).willReturn(new SamplerProperties(Duration.ofSeconds(5), Duration.ofHours(1)));
        // No sampled peak unless a test says so.
        sampledPeak(0);
    }

    private static NetnsSummary lab(long count) {
        return new NetnsSummary(SysctlGuardsTest.LAB.inode(), "lab-ab12", false, count, null, "nsenter", 0,
                List.of());
    }

    /** The history SysctlGuardsTest samples: peaking at {@code peak} entries in lab-ab12. */
    private void sampledPeak(long peak) {
        NetnsHistoryWindow window = SysctlGuardsTest.history(peak).window(null, null);
        given(sampler.window(any(), any())).willReturn(window);
    }

    private void listed(NetnsSummary... namespaces) {
        given(inventory.list()).willReturn(List.of(namespaces));
    }

    private ResultActions patchValues(String body) throws Exception {
        return mvc.perform(patch("/api/v1/sysctls").contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private ResultActions rollback(String body) throws Exception {
        return mvc.perform(post("/api/v1/sysctls/rollback").contentType(MediaType.APPLICATION_JSON).content(body));
    }

    /** Forcing past a guard is the admin's call. */
    private ResultActions patchValuesAsAdmin(String body) throws Exception {
        return mvc.perform(admin(MockMvcRequestBuilders.patch("/api/v1/sysctls"))
                .contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private ResultActions rollbackAsAdmin(String body) throws Exception {
        return mvc.perform(admin(MockMvcRequestBuilders.post("/api/v1/sysctls/rollback"))
                .contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private String read(String relative) {
        return ROOT.host().read(relative);
    }

    @Test
    void aPatchWithAMaxBelowAnotherNamespacesCountIsRefusedNamingItAndWritesNothing() throws Exception {
        listed(lab(LAB_COUNT));
        ROOT.age(MAX);
        ROOT.age(UDP);

        patchValues("{\"changes\": {\"net.netfilter.nf_conntrack_udp_timeout\": 45, "
                + "\"net.netfilter.nf_conntrack_max\": 240000}}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:guard-refused"))
                .andExpect(jsonPath("$.detail").value(containsString(
                        "at or below the 250000 entries tracked now in namespace lab-ab12")))
                .andExpect(jsonPath("$.detail").value(containsString("Nothing was changed")))
                .andExpect(jsonPath("$.namespaces", hasSize(1)))
                .andExpect(jsonPath("$.namespaces[0].name").value("lab-ab12"))
                .andExpect(jsonPath("$.namespaces[0].count").value(LAB_COUNT));
        assertThat(ROOT.untouched(MAX)).isTrue();
        assertThat(ROOT.untouched(UDP)).isTrue();
        assertThat(read(MAX)).isEqualTo("262144\n");
        assertThat(read(UDP)).isEqualTo("30\n");
    }

    @Test
    void aForcedPatchNeedsAReasonAndThenAppliesWithTheNamespaceInTheWarning() throws Exception {
        listed(lab(LAB_COUNT));

        patchValues("{\"changes\": {\"net.netfilter.nf_conntrack_max\": 240000}, \"force\": true, "
                + "\"reason\": \"drain lab\"}")
                .andExpect(status().isForbidden());
        assertThat(read(MAX)).isEqualTo("262144\n");
        patchValuesAsAdmin("{\"changes\": {\"net.netfilter.nf_conntrack_max\": 240000}, \"force\": true}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("reason"));
        assertThat(read(MAX)).isEqualTo("262144\n");

        patchValuesAsAdmin("{\"changes\": {\"net.netfilter.nf_conntrack_max\": 240000}, \"force\": true, "
                + "\"reason\": \"drain lab\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("APPLIED"))
                .andExpect(jsonPath("$.warnings[0]").value(containsString("Forced past a guard (drain lab)")))
                .andExpect(jsonPath("$.warnings[0]").value(containsString("namespace lab-ab12")));
        assertThat(read(MAX)).isEqualTo("240000\n");
    }

    @Test
    void aRollbackToAMaxBelowAnotherNamespacesCountIsRefusedNamingItUntilForced() throws Exception {
        ROOT.host().write(MAX, "240000\n");
        listed(lab(1000));
        String raised = JSON.readTree(mvc.perform(put("/api/v1/sysctls/net.netfilter.nf_conntrack_max")
                        .contentType(MediaType.APPLICATION_JSON).content("{\"value\": 524288}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.before['net.netfilter.nf_conntrack_max']").value(240000))
                .andReturn().getResponse().getContentAsString()).get("auditId").asString();
        // Since the raise, the lab namespace has filled past the old max.
        listed(lab(LAB_COUNT));

        rollback("{\"auditId\": \"" + raised + "\"}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:guard-refused"))
                .andExpect(jsonPath("$.detail").value(containsString(
                        "at or below the 250000 entries tracked now in namespace lab-ab12")))
                .andExpect(jsonPath("$.namespaces[0].name").value("lab-ab12"))
                .andExpect(jsonPath("$.namespaces[0].count").value(LAB_COUNT));
        rollbackAsAdmin("{\"auditId\": \"" + raised + "\", \"force\": true}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("reason"));
        assertThat(read(MAX)).isEqualTo("524288\n");

        rollbackAsAdmin("{\"auditId\": \"" + raised + "\", \"force\": true, \"reason\": \"undo raise\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("APPLIED"))
                .andExpect(jsonPath("$.action").value("sysctl.rollback"))
                .andExpect(jsonPath("$.warnings[0]").value(containsString("Forced past a guard (undo raise)")))
                .andExpect(jsonPath("$.warnings[0]").value(containsString("namespace lab-ab12")));
        assertThat(read(MAX)).isEqualTo("240000\n");
    }

    @Test
    void aPatchBelowANamespacesSampledPeakIsAppliedWithAWarning() throws Exception {
        listed(lab(1000));
        sampledPeak(LAB_COUNT);

        patchValues("{\"changes\": {\"net.netfilter.nf_conntrack_max\": 240000}}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("APPLIED"))
                // The agent's own 235930 entries leave little room below 240000: that warning comes first.
                .andExpect(jsonPath("$.warnings[0]").value(containsString("leaves 4070 free entries")))
                .andExpect(jsonPath("$.warnings[1]").value(containsString("below the peak of 250000 entries")))
                .andExpect(jsonPath("$.warnings[1]").value(containsString("namespace lab-ab12")))
                .andExpect(jsonPath("$.warnings[1]").value(not(containsString("Forced"))));
        assertThat(read(MAX)).isEqualTo("240000\n");
    }
}
