package io.ctagent.web;

import io.ctagent.problem.RejectedRequest;
import io.ctagent.problem.InvalidInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

class ProblemAdviceTest {

    final List<Object> events = new ArrayList<>();
    final MockMvc mvc = MockMvcBuilders.standaloneSetup(new Fake())
            .setControllerAdvice(new ProblemAdvice(events::add))
            .addFilters(new RequestIdFilter())
            .build();

    @RestController
    static class Fake {
        @PutMapping("/things/{name}")
        String set(@PathVariable String name) {
            throw new InvalidInput("value", "value must be a whole number; got 'lots'");
        }

        @GetMapping("/things/{name}")
        String read(@PathVariable String name) {
            throw new InvalidInput("netns", "bad netns");
        }

        @PostMapping("/things")
        String add(@RequestBody Thing thing) {
            return "ok";
        }

        @PostMapping("/flush")
        String flush() {
            throw new AccessDeniedException("flushing the whole table needs role admin");
        }
    }

    record Thing(int size) {
    }

    @Test
    void aRejectedChangeIsPublishedForTheAudit() throws Exception {
        mvc.perform(put("/things/max")).andExpect(status().isBadRequest()).andExpect(jsonPath("$.field").value("value"));
        assertThat(events).containsExactly(new RejectedRequest("PUT /things/{name}", "/things/max", "value",
                "value must be a whole number; got 'lots'"));
    }

    @Test
    void anUnreadableBodyIsPublishedToo() throws Exception {
        mvc.perform(post("/things", "{not json")).andExpect(status().isBadRequest());
        assertThat(events).singleElement().isInstanceOfSatisfying(RejectedRequest.class,
                rejected -> assertThat(rejected.action()).isEqualTo("POST /things"));
    }

    @Test
    void aBadReadIsNotAnAuditedAttempt() throws Exception {
        mvc.perform(get("/things/x")).andExpect(status().isBadRequest());
        assertThat(events).isEmpty();
    }

    @Test
    void aRoleCheckInAControllerIsLeftToSpringSecurityNotTurnedInto500() {
        assertThatThrownBy(() -> mvc.perform(post("/flush", "")))
                .hasRootCauseInstanceOf(AccessDeniedException.class);
    }

    @Test
    void theRequestIdIsEchoedOrMadeUp() throws Exception {
        mvc.perform(get("/things/x").header(RequestIdFilter.HEADER, "abc-123"))
                .andExpect(header().string(RequestIdFilter.HEADER, "abc-123"));
        mvc.perform(get("/things/x").header(RequestIdFilter.HEADER, "no spaces or \"quotes\""))
                .andExpect(header().string(RequestIdFilter.HEADER,
                        org.hamcrest.Matchers.matchesPattern("[0-9a-f-]{36}")));
    }

    static org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder post(String path, String body) {
        return org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post(path)
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON).content(body);
    }
}
