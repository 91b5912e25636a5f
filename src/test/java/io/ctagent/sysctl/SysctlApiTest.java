package io.ctagent.sysctl;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
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

@SpringBootTest
@AutoConfigureMockMvc
class SysctlApiTest {

    static final FakeRoot ROOT = new FakeRoot("ctagent-sysctl");

    @DynamicPropertySource
    static void hostRoots(DynamicPropertyRegistry registry) {
        registry.add("ctagent.host.proc-root", ROOT::proc);
        registry.add("ctagent.host.sys-root", ROOT::sys);
        registry.add("ctagent.host.rootfs", ROOT::root);
        registry.add("ctagent.host.mode", () -> "direct");
    }

    @Autowired
    MockMvc mvc;

    @BeforeEach
    void reset() {
        ROOT.reset();
    }

    @Test
    void smoke() throws Exception {
        System.out.println(mvc.perform(get("/api/v1/sysctls")).andReturn().getResponse().getContentAsString());
        System.out.println(mvc.perform(put("/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout")
                .contentType(MediaType.APPLICATION_JSON).content("{\"value\": 45, \"persist\": true}"))
                .andReturn().getResponse().getContentAsString());
        System.out.println(mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout")).andReturn().getResponse().getContentAsString());
    }
}
