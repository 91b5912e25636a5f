package io.ctagent.entries;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import io.ctagent.hostagent.NetnsTarget;

@WebMvcTest({EntriesController.class, FlushController.class})
@AutoConfigureMockMvc(addFilters = false)
class EntriesControllerTest {

    private static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

    @Autowired
    MockMvc mvc;

    @MockitoBean
    EntryService entries;

    @MockitoBean
    FlushService flush;

    @Test
    void listsAPageAsJsonByDefault() throws Exception {
        given(entries.page(eq(NetnsTarget.parse("lab1")), any(), eq(50), isNull())).willReturn(new EntryPage("lab1",
                "procfs", Map.of("protocol", "udp"), 50, List.of(), "next", List.of()));

        mvc.perform(get("/api/v1/conntrack/entries").param("netns", "lab1").param("protocol", "udp")
                        .param("limit", "50"))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.nextCursor").value("next"))
                .andExpect(jsonPath("$.source").value("procfs"));
    }

    @Test
    void ndjsonStreamsOneEntryPerLine() throws Exception {
        given(entries.prepareStream(NetnsTarget.OWN)).willReturn(TableSource.PROCFS);
        willAnswer(call -> {
            OutputStream out = call.getArgument(4);
            out.write("{\"protocol\":\"udp\"}\n{\"protocol\":\"tcp\"}\n".getBytes(StandardCharsets.UTF_8));
            return null;
        }).given(entries).writeNdjson(eq(NetnsTarget.OWN), eq(TableSource.PROCFS), any(), isNull(), any());

        MvcResult started = mvc.perform(get("/api/v1/conntrack/entries").accept(NDJSON))
                .andExpect(request().asyncStarted()).andReturn();

        mvc.perform(asyncDispatch(started))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(NDJSON))
                .andExpect(content().string("{\"protocol\":\"udp\"}\n{\"protocol\":\"tcp\"}\n"));
    }

    @Test
    void ndjsonRefusesACursorAndValidatesBeforeStreaming() throws Exception {
        mvc.perform(get("/api/v1/conntrack/entries").accept(NDJSON).param("cursor", "abc"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value("cursor"));
        mvc.perform(get("/api/v1/conntrack/entries").accept(NDJSON).param("dport", "0"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("dport"));
        verifyNoInteractions(entries);
    }

    @ParameterizedTest
    @CsvSource({
            "dport, 0", "dport, 65536", "dport, 22;rm", "sport, abc", "src, 10.0.0.0/33", "dst, 300.1.1.1",
            "replySrc, ::1::", "state, ESTABLISH", "protocol, tcpx", "zone, -1", "mark, 0x1/0x0",
            "status, NEW", "family, inet", "limit, 10001", "limit, 0", "limit, 5e3", "netns, ../etc", "dprt, 53"})
    void badInputIsA400NamingTheFieldAndNothingIsRead(String field, String value) throws Exception {
        mvc.perform(get("/api/v1/conntrack/entries").param(field, value))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value(field));
        verifyNoInteractions(entries);
    }

    @Test
    void aParameterGivenTwiceIsRefused() throws Exception {
        mvc.perform(get("/api/v1/conntrack/entries").param("dport", "53").param("dport", "80"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("dport"));
        verifyNoInteractions(entries);
    }

    @Test
    void summaryPassesGroupByTopAndFilter() throws Exception {
        given(entries.summary(eq(NetnsTarget.OWN), any(), eq(List.of(GroupBy.PROTOCOL, GroupBy.DPORT)), eq(5)))
                .willReturn(new EntrySummary(null, "procfs", Map.of(), List.of("protocol", "dport"), 5, 10, 10,
                        List.of(new EntrySummary.Group(Map.of("protocol", "udp", "dport", 53), 10)), 0, 1, true, 0, 3,
                        List.of()));

        mvc.perform(get("/api/v1/conntrack/entries/summary").param("groupBy", "protocol,dport").param("top", "5"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.total").value(10))
                .andExpect(jsonPath("$.matched").value(10))
                .andExpect(jsonPath("$.groups[0].key.dport").value(53))
                .andExpect(jsonPath("$.groups[0].count").value(10));
    }

    @Test
    void summaryDefaultsToProtocolAndState() throws Exception {
        given(entries.summary(any(), any(), any(), anyInt())).willReturn(new EntrySummary(null, "procfs", Map.of(),
                List.of("protocol", "state"), 20, 0, 0, List.of(), 0, 0, true, 0, 1, List.of()));
        mvc.perform(get("/api/v1/conntrack/entries/summary")).andExpect(status().isOk());

        verify(entries).summary(eq(NetnsTarget.OWN), eq(EntryFilter.ALL), eq(List.of(GroupBy.PROTOCOL,
                GroupBy.STATE)), eq(20));
    }

    @ParameterizedTest
    @CsvSource({"groupBy, proto", "groupBy, 'protocol,protocol'", "groupBy, ''", "top, 1001", "top, 0",
            "dst, 10.0.0.1/8", "limit, 5"})
    void badSummaryInputIsA400NamingTheField(String field, String value) throws Exception {
        mvc.perform(get("/api/v1/conntrack/entries/summary").param(field, value))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value(field));
        verifyNoInteractions(entries);
    }

    @Test
    void flushPassesBodyHeaderAndNamespace() throws Exception {
        given(flush.flush(eq(NetnsTarget.parse("lab1")), any(), eq("flush-all"))).willReturn(new FlushResult("lab1",
                true, Map.of(), 5, 5, new FlushResult.TableState(5, 5L), new FlushResult.TableState(0, 0L), true,
                false, List.of(List.of("/usr/sbin/conntrack", "-F")), List.of(), null, 10, true));

        mvc.perform(post("/api/v1/conntrack/flush").param("netns", "lab1").header("X-Confirm", "flush-all")
                        .contentType(MediaType.APPLICATION_JSON).content("{\"all\": true}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.deleted").value(5))
                .andExpect(jsonPath("$.applied").value(true))
                .andExpect(jsonPath("$.dryRun").value(false))
                .andExpect(jsonPath("$.commands[0][1]").value("-F"))
                .andExpect(jsonPath("$.before.count").value(5))
                .andExpect(jsonPath("$.after.count").value(0))
                .andExpect(jsonPath("$.warnings").isArray())
                .andExpect(jsonPath("$.auditId").isEmpty());
    }

    @Test
    void flushBodyFieldsBindNumbersAsTextAndCollectUnknownFields() throws Exception {
        given(flush.flush(any(), any(), isNull())).willReturn(new FlushResult(null, false, Map.of(), 0, 0,
                new FlushResult.TableState(0, 0L), new FlushResult.TableState(0, 0L), false, true, List.of(), List.of(),
                null, 1, false));
        mvc.perform(post("/api/v1/conntrack/flush").contentType(MediaType.APPLICATION_JSON)
                .content("{\"filter\": {\"protocol\": \"udp\", \"dport\": 53, \"dprot\": 1}, \"dryRun\": true}"));

        verify(flush).flush(eq(NetnsTarget.OWN), org.mockito.ArgumentMatchers.argThat(request ->
                request.filter().dport().equals("53") && request.filter().unknown().containsKey("dprot")
                        && request.dryRun()), isNull());
    }

    @Test
    void flushRefusesQueryParametersItDoesNotTakeSoDryRunCannotBeMisplaced() throws Exception {
        mvc.perform(post("/api/v1/conntrack/flush").param("dryRun", "true").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"filter\": {\"protocol\": \"udp\"}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("dryRun"));
        verifyNoInteractions(flush);
    }

    @Test
    void flushIsPostOnly() throws Exception {
        mvc.perform(get("/api/v1/conntrack/flush")).andExpect(status().is4xxClientError());
        verifyNoInteractions(flush);
    }

    @Test
    void aMalformedBodyIsA400Problem() throws Exception {
        mvc.perform(post("/api/v1/conntrack/flush").contentType(MediaType.APPLICATION_JSON).content("{\"all\": "))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        verifyNoInteractions(flush);
        org.mockito.Mockito.verify(entries, org.mockito.Mockito.never()).page(any(), any(), anyInt(), any());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"filter\": {\"protocol\": \"udp\"}, \"dryRun\": \"yes\"} | dryRun",
            "{\"filter\": {\"protocol\": [\"udp\"]}} | filter.protocol",
            "{\"filter\": \"udp\"} | filter",
            "{\"all\": {}} | all"})
    void aBodyFieldOfTheWrongTypeIsA400NamingIt(String body, String field) throws Exception {
        mvc.perform(post("/api/v1/conntrack/flush").contentType(MediaType.APPLICATION_JSON).content(body))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value(field));
        verifyNoInteractions(flush);
    }

    @Test
    void aFailureAfterTheStreamStartedIsNotTurnedIntoAProblemButCutsTheResponse() throws Exception {
        given(entries.prepareStream(NetnsTarget.OWN)).willReturn(TableSource.PROCFS);
        willAnswer(call -> {
            OutputStream out = call.getArgument(4);
            // More than the response buffer: the 200 and these lines are on their way to the client.
            out.write("{\"protocol\":\"udp\"}\n".repeat(1000).getBytes(StandardCharsets.UTF_8));
            out.flush();
            throw new io.ctagent.problem.OperatorProblem(org.springframework.http.HttpStatus.BAD_GATEWAY,
                    "host-command-failed", "Host command failed", "Timed out");
        }).given(entries).writeNdjson(eq(NetnsTarget.OWN), eq(TableSource.PROCFS), any(), isNull(), any());

        MvcResult started = mvc.perform(get("/api/v1/conntrack/entries").accept(NDJSON))
                .andExpect(request().asyncStarted()).andReturn();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mvc.perform(asyncDispatch(started)))
                .hasRootCauseInstanceOf(io.ctagent.problem.OperatorProblem.class)
                .hasMessageContaining("cut short");
    }
}
