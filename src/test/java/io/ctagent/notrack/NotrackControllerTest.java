package io.ctagent.notrack;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import io.ctagent.hostagent.NetnsTarget;

@WebMvcTest(NotrackController.class)
@AutoConfigureMockMvc(addFilters = false)
class NotrackControllerTest {

    private static final RuleStatus RULE = new RuleStatus("0a1b2c3d", "lab1", Direction.BOTH, IpFamily.BOTH,
            Protocol.UDP, "53", null, null, null, null, null, "dns", Instant.parse("2026-01-02T03:04:05Z"), true, true,
            12, 348, List.of(new KernelRule("0a1b2c3d", "inet conntrack_agent output", 5, 12, 348)), false);

    @Autowired
    MockMvc mvc;

    @MockitoBean
    NotrackService notrack;

    @Test
    void listShowsRulesWithCountersAndInKernel() throws Exception {
        given(notrack.list(NetnsTarget.parse("lab1"), true)).willReturn(new NotrackRules("lab1", "nftables",
                List.of(RULE), List.of(new ForeignRule("nft", "inet edge raw", "udp dport 4789 notrack", 7L, 700L)),
                null, List.of()));

        mvc.perform(get("/api/v1/notrack/rules").param("netns", "lab1").param("include", "foreign"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.backend").value("nftables"))
                .andExpect(jsonPath("$.rules[0].id").value("0a1b2c3d"))
                .andExpect(jsonPath("$.rules[0].family").value("both"))
                .andExpect(jsonPath("$.rules[0].protocol").value("udp"))
                .andExpect(jsonPath("$.rules[0].dports").value("53"))
                .andExpect(jsonPath("$.rules[0].inKernel").value(true))
                .andExpect(jsonPath("$.rules[0].packets").value(12))
                .andExpect(jsonPath("$.rules[0].bytes").value(348))
                .andExpect(jsonPath("$.rules[0].kernel[0].handle").value(5))
                .andExpect(jsonPath("$.foreign[0].rule").value("udp dport 4789 notrack"));
    }

    @Test
    void includeTakesOnlyForeign() throws Exception {
        mvc.perform(get("/api/v1/notrack/rules").param("include", "everything"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value("include"));
        verifyNoInteractions(notrack);
    }

    @Test
    void anAddedRuleIs201WithItsLocationAndTheMutationFields() throws Exception {
        given(notrack.create(eq(NetnsTarget.parse("lab1")), any(), eq(false))).willReturn(new NotrackChange(null, RULE,
                true, false, List.of(new CommandRecord(List.of("/usr/sbin/nft", "-f", "-"), "add table ...\n", 0, 3L)),
                List.of(), null));

        mvc.perform(post("/api/v1/notrack/rules").param("netns", "lab1").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"protocol\": \"udp\", \"dports\": [53, \"5353\"], \"comment\": \"dns\"}"))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/api/v1/notrack/rules/0a1b2c3d?netns=lab1"))
                .andExpect(jsonPath("$.before").value(org.hamcrest.Matchers.nullValue()))
                .andExpect(jsonPath("$.after.id").value("0a1b2c3d"))
                .andExpect(jsonPath("$.applied").value(true))
                .andExpect(jsonPath("$.dryRun").value(false))
                .andExpect(jsonPath("$.commands[0].argv[0]").value("/usr/sbin/nft"))
                .andExpect(jsonPath("$.commands[0].stdin").value("add table ...\n"))
                .andExpect(jsonPath("$.warnings").isArray())
                .andExpect(jsonPath("$.auditId").value(org.hamcrest.Matchers.nullValue()));
        ArgumentCaptor<NotrackRequest> request = ArgumentCaptor.forClass(NotrackRequest.class);
        verify(notrack).create(eq(NetnsTarget.parse("lab1")), request.capture(), eq(false));
        org.assertj.core.api.Assertions.assertThat(request.getValue().dports()).isEqualTo(List.of(53, "5353"));
    }

    @Test
    void aDryRunIs200() throws Exception {
        given(notrack.create(any(), any(), anyBoolean())).willReturn(new NotrackChange(null, RULE, false, true,
                List.of(), List.of(), null));

        mvc.perform(post("/api/v1/notrack/rules").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"protocol\": \"udp\", \"dports\": 53, \"dryRun\": true}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.dryRun").value(true));
    }

    @Test
    void anUnknownFieldIsA400NamingIt() throws Exception {
        given(notrack.create(any(), any(), anyBoolean())).willAnswer(invocation ->
                RuleSpecParser.parse(invocation.getArgument(1)));

        mvc.perform(post("/api/v1/notrack/rules").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"protocol\": \"udp\", \"dport\": 53}"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value("dport"));
    }

    @Test
    void aValueOfTheWrongTypeIsA400NamingTheFieldWithoutParserInternals() throws Exception {
        mvc.perform(post("/api/v1/notrack/rules").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"protocol\": \"udp\", \"dryRun\": {\"x\": 1}}"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value("dryRun"))
                .andExpect(content().string(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("java."))));
        mvc.perform(post("/api/v1/notrack/rules").contentType(MediaType.APPLICATION_JSON).content("[1, 2"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("body"));
        verifyNoInteractions(notrack);
    }

    @Test
    void withoutRolesTheCallerIsNotAdmin() throws Exception {
        given(notrack.create(any(), any(), anyBoolean())).willReturn(new NotrackChange(null, RULE, false, true,
                List.of(), List.of(), null));

        mvc.perform(post("/api/v1/notrack/rules").contentType(MediaType.APPLICATION_JSON).content("{\"force\": true}"))
                .andExpect(status().isOk());

        verify(notrack).create(eq(NetnsTarget.OWN), any(), eq(false));
    }

    @Test
    @WithMockUser(roles = "ADMIN")
    void anAdminCallerIsPassedToTheServiceAsAdmin() throws Exception {
        given(notrack.create(any(), any(), anyBoolean())).willReturn(new NotrackChange(null, RULE, false, true,
                List.of(), List.of(), null));

        mvc.perform(post("/api/v1/notrack/rules").contentType(MediaType.APPLICATION_JSON).content("{\"force\": true}"))
                .andExpect(status().isOk());

        verify(notrack).create(eq(NetnsTarget.OWN), any(), eq(true));
    }

    @Test
    @WithMockUser(roles = "OPERATOR")
    void anOperatorIsNotAdmin() throws Exception {
        given(notrack.create(any(), any(), anyBoolean())).willReturn(new NotrackChange(null, RULE, false, true,
                List.of(), List.of(), null));

        mvc.perform(post("/api/v1/notrack/rules").contentType(MediaType.APPLICATION_JSON).content("{\"force\": true}"))
                .andExpect(status().isOk());

        verify(notrack).create(eq(NetnsTarget.OWN), any(), eq(false));
    }

    @Test
    void aBadRuleIdIsA400AndDeleteTakesDryRun() throws Exception {
        mvc.perform(get("/api/v1/notrack/rules/../../etc"))
                .andExpect(status().is4xxClientError());
        mvc.perform(delete("/api/v1/notrack/rules/XYZ"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("id"));
        verifyNoInteractions(notrack);

        given(notrack.delete(NetnsTarget.OWN, "0a1b2c3d", true)).willReturn(new NotrackChange(RULE, null, false, true,
                List.of(), List.of(), null));
        mvc.perform(delete("/api/v1/notrack/rules/0a1b2c3d").param("dryRun", "true"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.before.id").value("0a1b2c3d"))
                .andExpect(jsonPath("$.after").value(org.hamcrest.Matchers.nullValue()));
    }
}
