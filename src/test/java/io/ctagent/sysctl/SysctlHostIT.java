package io.ctagent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.KernelValues;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;
import tools.jackson.databind.JsonNode;

/**
 * Real kernel: a timeout changed in a lab namespace through ?netns= (the host's own value stays), and
 * nf_conntrack_max and the hash table changed in the initial namespace, always restored in finally.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ctagent.host.mode=direct")
@Import(HostApi.class)
class SysctlHostIT {

    private static final String UDP = "net.netfilter.nf_conntrack_udp_timeout";
    private static final AuditTrail AUDIT = AuditTrail.inTempDir("ctagent-sysctl-hostit-audit");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestApiKeys.register(registry);
        AUDIT.register(registry);
    }

    @Autowired
    HostApi api;

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "iptables", "conntrack", "nsenter", "sysctl");
    }

    @Test
    void aTimeoutChangedInALabNamespaceIsReadBackThereAndTheHostKeepsItsOwn() throws Exception {
        long hostBefore = kernel("nf_conntrack_udp_timeout");
        try (LabNamespace lab = LabNamespace.create()) {
            String ns = "?netns=" + lab.name();
            JsonNode before = api.expect("GET", "/api/v1/sysctls/" + UDP + ns, null, 200);
            assertThat(before.get("netns").asText()).isEqualTo(lab.name());
            assertThat(before.get("writable").asBoolean()).isTrue();
            long wanted = before.get("value").asLong() + 17;

            JsonNode change = api.expect("PUT", "/api/v1/sysctls/" + UDP + ns, "{\"value\": " + wanted + "}", 200);

            assertThat(change.get("result").asText()).isEqualTo("APPLIED");
            AuditTrail.Change audited = AUDIT.change(change.get("auditId").asText());
            assertThat(audited.result()).isEqualTo("APPLIED");
            assertThat(audited.intent().get("target").asText()).isEqualTo("netns:" + lab.name() + "/" + UDP);
            assertThat(audited.outcome().at("/after/netns").asText()).isEqualTo(lab.name());
            assertThat(audited.outcome().get("commands").get(0).get("argv").toString()).contains("nsenter");
            assertThat(audited.outcome().get("commands").get(0).get("exitCode").asInt()).isZero();
            assertThat(change.get("commands").get(0).toString()).contains("nsenter")
                    .contains("--net=/run/netns/" + lab.name()).contains(UDP + "=" + wanted);
            assertThat(api.expect("GET", "/api/v1/sysctls/" + UDP + ns, null, 200).get("value").asLong())
                    .isEqualTo(wanted);
            assertThat(lab.exec("sysctl", "-n", UDP).strip()).isEqualTo(String.valueOf(wanted));
            assertThat(kernel("nf_conntrack_udp_timeout")).isEqualTo(hostBefore);

            JsonNode list = api.expect("GET", "/api/v1/sysctls" + ns, null, 200);
            assertThat(list.findValuesAsString("key")).contains(UDP).doesNotContain("net.nf_conntrack_max");
            JsonNode refused = api.expect("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max" + ns,
                    "{\"value\": 300000}", 409);
            assertThat(refused.get("detail").asText()).contains("initial one");
        }
        assertThat(kernel("nf_conntrack_udp_timeout")).isEqualTo(hostBefore);
    }

    @Test
    void maxAndTheHashTableChangeInTheInitialNamespaceAndAreRestored() throws Exception {
        long max = kernel("nf_conntrack_max");
        long buckets = kernel("nf_conntrack_buckets");
        // What finally puts back must be right: refuse to start from values no host runs with.
        assertThat(max).as("nf_conntrack_max before the test").isGreaterThanOrEqualTo(1024);
        assertThat(buckets).as("nf_conntrack_buckets before the test").isGreaterThanOrEqualTo(1024);
        try {
            JsonNode raised = api.expect("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max",
                    "{\"value\": " + (max + 1024) + "}", 200);
            assertThat(raised.get("result").asText()).isEqualTo("APPLIED");
            assertThat(AUDIT.change(raised.get("auditId").asText()).result()).isEqualTo("APPLIED");
            assertThat(kernel("nf_conntrack_max")).isEqualTo(max + 1024);
            // Both names are one kernel variable.
            assertThat(api.expect("GET", "/api/v1/sysctls/net.nf_conntrack_max", null, 200).get("value").asLong())
                    .isEqualTo(max + 1024);

            long wanted = buckets + 512;
            JsonNode resized = api.expect("PUT", "/api/v1/hashsize", "{\"value\": " + wanted + "}", 200);
            assertThat(resized.get("result").asText()).isEqualTo("APPLIED");
            assertThat(AUDIT.change(resized.get("auditId").asText()).result()).isEqualTo("APPLIED");
            assertThat(kernel("nf_conntrack_buckets")).isEqualTo(wanted);
            JsonNode table = api.expect("GET", "/api/v1/hashsize", null, 200);
            assertThat(table.get("buckets").asLong()).isEqualTo(wanted);
            if (table.hasNonNull("hashsize")) {
                assertThat(table.get("hashsize").asLong()).isEqualTo(wanted);
            }

            JsonNode planned = api.expect("PUT", "/api/v1/hashsize",
                    "{\"value\": " + (buckets + 4096) + ", \"dryRun\": true}", 200);
            assertThat(planned.get("result").asText()).isEqualTo("DRY_RUN");
            assertThat(AUDIT.change(planned.get("auditId").asText()).result()).isEqualTo("DRY_RUN");
            assertThat(kernel("nf_conntrack_buckets")).isEqualTo(wanted);

            // Rolled back through the API: max is back, audited as a new change.
            JsonNode rollback = api.expect("POST", "/api/v1/sysctls/rollback",
                    "{\"auditId\": \"" + raised.get("auditId").asText() + "\"}", 200);
            assertThat(rollback.get("result").asText()).isEqualTo("APPLIED");
            assertThat(AUDIT.change(rollback.get("auditId").asText()).result()).isEqualTo("APPLIED");
            assertThat(kernel("nf_conntrack_max")).isEqualTo(max);
        } finally {
            // Put back with the host's own tool, independent of the code under test.
            LabNamespace.run("sysctl", "-w", "net.netfilter.nf_conntrack_buckets=" + buckets);
            LabNamespace.run("sysctl", "-w", "net.netfilter.nf_conntrack_max=" + max);
        }
        assertThat(kernel("nf_conntrack_max")).isEqualTo(max);
        assertThat(kernel("nf_conntrack_buckets")).isEqualTo(buckets);
    }

    @Test
    void badInputOverRealHttpIs400AndChangesNothing() throws Exception {
        long max = kernel("nf_conntrack_max");

        for (String body : new String[] {"{\"value\": \"abc\"}", "{\"value\": -1}", "{\"value\": 9223372036854775808}",
                "{\"value\": \"300000\\n\"}", "{\"value\": \"300000; reboot\"}"}) {
            assertThat(api.expect("PUT", "/api/v1/sysctls/net.netfilter.nf_conntrack_max", body, 400).get("field")
                    .asText()).isEqualTo("value");
        }
        for (String key : new String[] {"net.netfilter.nf_conntrack_max%20", "%24(reboot)", "net..x"}) {
            assertThat(api.expect("PUT", "/api/v1/sysctls/" + key, "{\"value\": 300000}", 400).get("field").asText())
                    .isEqualTo("key");
        }
        assertThat(kernel("nf_conntrack_max")).isEqualTo(max);
    }

    private static long kernel(String file) {
        return KernelValues.read("net.netfilter." + file);
    }
}
