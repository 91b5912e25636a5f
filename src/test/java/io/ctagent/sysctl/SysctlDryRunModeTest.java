package io.ctagent.sysctl;

import static io.ctagent.testsupport.KeyedRequests.patch;
import static io.ctagent.testsupport.KeyedRequests.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.TestApiKeys;
import tools.jackson.databind.json.JsonMapper;

/** ctagent.host.mode=dry-run: every change is validated and planned, nothing is written. */
@SpringBootTest
@AutoConfigureMockMvc
class SysctlDryRunModeTest {

    static final FakeRoot ROOT = new FakeRoot("ctagent-dryrun");
    static final AuditTrail AUDIT = AuditTrail.inTempDir("ctagent-dryrun-audit");

    @DynamicPropertySource
    static void hostRoots(DynamicPropertyRegistry registry) {
        FakeHost.register(registry, java.nio.file.Path.of(ROOT.root()), "dry-run");
        TestApiKeys.register(registry);
        AUDIT.register(registry);
    }

    @Autowired
    MockMvc mvc;

    @BeforeEach
    void reset() {
        ROOT.reset();
        ROOT.age("proc/sys/net/netfilter/nf_conntrack_max");
    }

    @Test
    void aChangeIsPlannedWithItsFileContentAndLaterOverridesButNotWritten() throws Exception {
        ROOT.host().write("etc/sysctl.conf", "net.netfilter.nf_conntrack_max = 65536\n");

        String body = mvc.perform(put("/api/v1/sysctls/net.netfilter.nf_conntrack_max")
                        .contentType(MediaType.APPLICATION_JSON).content("{\"value\": 524288, \"persist\": true}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("DRY_RUN"))
                .andExpect(jsonPath("$.dryRun").value(true))
                .andExpect(jsonPath("$.applied").value(false))
                .andExpect(jsonPath("$.commands[0][0]").value("write"))
                .andExpect(jsonPath("$.files[0].content").value(containsString("net.netfilter.nf_conntrack_max = 524288")))
                .andExpect(jsonPath("$.warnings[*]", hasItem(containsString("/etc/sysctl.conf"))))
                .andReturn().getResponse().getContentAsString();

        assertThat(ROOT.untouched("proc/sys/net/netfilter/nf_conntrack_max")).isTrue();
        assertThat(ROOT.exists("etc/sysctl.d/90-conntrack-agent.conf")).isFalse();
        AuditTrail.Change change = AUDIT.change(JsonMapper.builder().build().readTree(body).get("auditId").asString());
        assertThat(change.result()).isEqualTo("DRY_RUN");
        assertThat(change.outcome().get("mode").asString()).isEqualTo("DRY_RUN");
        assertThat(change.intent().at("/params/dryRun").asBoolean()).isFalse();
    }

    @Test
    void guardsAndValidationStillApply() throws Exception {
        mvc.perform(patch("/api/v1/sysctls").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"changes\": {\"net.netfilter.nf_conntrack_max\": 1000}}"))
                .andExpect(status().isConflict());
        mvc.perform(patch("/api/v1/sysctls").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"changes\": {\"net.netfilter.nf_conntrack_max\": \"1000\"}}"))
                .andExpect(status().isBadRequest());
    }
}
