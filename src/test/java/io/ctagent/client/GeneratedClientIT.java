package io.ctagent.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.client.api.EntriesApi;
import io.ctagent.client.api.NotrackApi;
import io.ctagent.client.api.SysctlsApi;
import io.ctagent.client.api.UsageApi;
import io.ctagent.client.model.ConntrackEntry;
import io.ctagent.client.model.EntryPage;
import io.ctagent.client.model.NotrackChange;
import io.ctagent.client.model.NotrackRequest;
import io.ctagent.client.model.Problem;
import io.ctagent.client.model.SysctlChange;
import io.ctagent.client.model.SysctlPutRequest;
import io.ctagent.client.model.SysctlView;
import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;
import io.ctagent.testsupport.TrafficGenerator;

/**
 * The Java client openapi-generator makes from openapi/openapi.yaml (pom: test-client) drives the
 * agent on the real kernel, as a portal would: usage, the sysctls, a timeout changed in a lab
 * namespace with If-Match, entries paged by cursor, a NOTRACK rule created and deleted, and a 409
 * read as a typed Problem. Authenticated with Authorization: Bearer, as generated clients do.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "ctagent.host.mode=direct")
class GeneratedClientIT {

    private static final String UDP = "net.netfilter.nf_conntrack_udp_timeout";
    private static final AuditTrail AUDIT = AuditTrail.inTempDir("ctagent-client-it-audit");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestApiKeys.register(registry);
        AUDIT.register(registry);
    }

    @LocalServerPort
    int port;

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "nft", "conntrack", "nsenter", "sysctl");
    }

    private ApiClient client(String key) {
        ApiClient client = new ApiClient();
        client.setHost("127.0.0.1");
        client.setPort(port);
        client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + key));
        return client;
    }

    @Test
    void aGeneratedClientReadsChangesPagesManagesRulesAndGetsTypedProblems() throws Exception {
        ApiClient operator = client(TestApiKeys.OPERATOR);
        assertThat(new UsageApi(operator).usage(null).getMax()).isPositive();
        assertThat(new SysctlsApi(operator).listSysctls(null)).extracting(SysctlView::getKey).contains(UDP);

        try (LabNamespace lab = LabNamespace.create()) {
            SysctlsApi sysctls = new SysctlsApi(operator);
            ApiResponse<SysctlView> read = sysctls.getSysctlWithHttpInfo(UDP, lab.name());
            String etag = read.getHeaders().get("ETag").get(0);
            long wanted = read.getData().getValue() + 11;
            SysctlChange change = sysctls.setSysctl(UDP, lab.name(), etag, new SysctlPutRequest().value(wanted));
            assertThat(change.getResult()).hasToString("APPLIED");
            assertThat(lab.exec("sysctl", "-n", UDP).strip()).isEqualTo(String.valueOf(wanted));
            // The same ETag is stale now: 412, as a problem.
            assertThatThrownBy(() -> sysctls.setSysctl(UDP, lab.name(), etag, new SysctlPutRequest().value(wanted)))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(412));

            udpFlows(lab, 5);
            List<ConntrackEntry> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                EntryPage page = new EntriesApi(operator).listEntries(null, "udp", null, null, null, null, null, null,
                        "40999", null, null, null, "2", cursor, lab.name());
                seen.addAll(page.getEntries());
                cursor = page.getNextCursor();
                pages++;
            } while (cursor != null && pages < 10);
            assertThat(seen).hasSize(5);
            assertThat(pages).isEqualTo(3);

            NotrackApi notrack = new NotrackApi(operator);
            NotrackChange created = notrack.createNotrackRule(new NotrackRequest().direction(NotrackRequest.DirectionEnum.OUTPUT)
                    .protocol(NotrackRequest.ProtocolEnum.UDP)
                    .dports("40999").dst("127.0.0.1/32").comment("generated-client-it"), lab.name());
            String id = created.getAfter().getId();
            assertThat(lab.exec("nft", "list", "ruleset")).contains("ctagent:" + id);
            NotrackChange deleted = notrack.deleteNotrackRule(id, lab.name(), null);
            assertThat(deleted.getAfter()).isNull();
            assertThat(lab.exec("nft", "list", "ruleset")).doesNotContain("ctagent:" + id);

            // nf_conntrack_max is global, writable only in the initial namespace: 409, a typed Problem.
            ApiException conflict = catchApiException(() -> sysctls.setSysctl("net.netfilter.nf_conntrack_max",
                    lab.name(), null, new SysctlPutRequest().value(300000L)));
            assertThat(conflict.getCode()).isEqualTo(409);
            Problem problem = operator.getObjectMapper().readValue(conflict.getResponseBody(), Problem.class);
            assertThat(problem.getStatus()).isEqualTo(409);
            assertThat(problem.getType().toString()).startsWith("urn:ctagent:problem:");
            assertThat(problem.getField()).isEqualTo("key");
            assertThat(problem.getRequestId()).isNotBlank();
        }
    }

    /** Distinct UDP flows on the lab's loopback, each from its own source port, to port 40999. */
    private static void udpFlows(LabNamespace lab, int flows) throws Exception {
        assertThat(TrafficGenerator.runIn(lab, "udp-send", String.valueOf(flows), "40999")).isEqualTo("SENT " + flows);
    }

    private interface Call {
        void run() throws ApiException;
    }

    private static ApiException catchApiException(Call call) {
        try {
            call.run();
        } catch (ApiException expected) {
            return expected;
        }
        throw new AssertionError("expected an ApiException");
    }
}
