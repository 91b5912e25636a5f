package io.ctagent.sysctl;

import static io.ctagent.testsupport.KeyedRequests.auditor;
import static io.ctagent.testsupport.KeyedRequests.get;
import static io.ctagent.testsupport.KeyedRequests.patch;
import static io.ctagent.testsupport.KeyedRequests.post;
import static io.ctagent.testsupport.KeyedRequests.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
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
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;

import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.KeyedRequests;
import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.TestApiKeys;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sysctl API against a fake host tree, in direct mode: what the files say, what gets written,
 * and what the audit log records for each change.
 */
@SpringBootTest
@AutoConfigureMockMvc
class SysctlApiTest {

    static final FakeRoot ROOT = new FakeRoot("ctagent-sysctl");
    static final AuditTrail AUDIT = AuditTrail.inTempDir("ctagent-sysctl-audit");
    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String MAX = "proc/sys/net/netfilter/nf_conntrack_max";
    static final String UDP = "proc/sys/net/netfilter/nf_conntrack_udp_timeout";
    static final String DROP_IN = "etc/sysctl.d/90-conntrack-agent.conf";

    @DynamicPropertySource
    static void hostRoots(DynamicPropertyRegistry registry) {
        FakeHost.register(registry, java.nio.file.Path.of(ROOT.root()), "direct");
        TestApiKeys.register(registry);
        AUDIT.register(registry);
    }

    @Autowired
    MockMvc mvc;

    @BeforeEach
    void reset() {
        ROOT.reset();
    }

    private ResultActions putValue(String key, String body) throws Exception {
        return mvc.perform(put("/api/v1/sysctls/" + key).contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private ResultActions putValueAsAdmin(String key, String body) throws Exception {
        return mvc.perform(KeyedRequests.admin(MockMvcRequestBuilders.put("/api/v1/sysctls/" + key))
                .contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private ResultActions patchValues(String body) throws Exception {
        return mvc.perform(patch("/api/v1/sysctls").contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private String read(String relative) {
        return ROOT.host().read(relative);
    }

    private static String auditId(ResultActions result) throws Exception {
        JsonNode body = JSON.readTree(result.andReturn().getResponse().getContentAsString());
        assertThat(body.path("auditId").isString()).as("auditId in " + body).isTrue();
        return body.get("auditId").asString();
    }

    // --- discovery and reads

    @Test
    void listsTheConntrackFilesUnderTheProcRootAndTheLegacyMaxButNothingElse() throws Exception {
        mvc.perform(get("/api/v1/sysctls"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$", hasSize(12)))
                .andExpect(jsonPath("$[*].key", hasItem("net.netfilter.nf_conntrack_udp_timeout_stream")))
                .andExpect(jsonPath("$[*].key", hasItem("net.nf_conntrack_max")))
                .andExpect(jsonPath("$[*].key", not(hasItem("net.netfilter.nf_hooks_lwtunnel"))))
                .andExpect(jsonPath("$[*].key", not(hasItem("net.netfilter.nf_log"))));
    }

    @Test
    void aKeyThatAppearsOnTheHostIsManagedWithoutARestart() throws Exception {
        ROOT.host().write("proc/sys/net/netfilter/nf_conntrack_sctp_timeout_closed", "10\n");
        ROOT.host().write("proc/sys/net/netfilter/nf_conntrack_brand_new", "7\n");

        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_sctp_timeout_closed"))
                .andExpect(status().isOk()).andExpect(jsonPath("$.unit").value("seconds"));
        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_brand_new"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.value").value(7))
                .andExpect(jsonPath("$.unit").value("integer"))
                .andExpect(jsonPath("$.writable").value(true));
    }

    @Test
    void eachKeyHasValueUnitRangeDescriptionAndWritability() throws Exception {
        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_max"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.key").value("net.netfilter.nf_conntrack_max"))
                .andExpect(jsonPath("$.value").value(262144))
                .andExpect(jsonPath("$.unit").value("entries"))
                .andExpect(jsonPath("$.min").value(1))
                .andExpect(jsonPath("$.max").value(2147483647))
                .andExpect(jsonPath("$.description").value(containsString("table full")))
                .andExpect(jsonPath("$.writable").value(true))
                .andExpect(jsonPath("$.persistedValue").isEmpty())
                .andExpect(jsonPath("$.persistedIn").isEmpty())
                .andExpect(jsonPath("$.warnings").isArray())
                .andExpect(header().exists("ETag"));
        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout"))
                .andExpect(jsonPath("$.unit").value("seconds"));
        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_acct"))
                .andExpect(jsonPath("$.unit").value("boolean")).andExpect(jsonPath("$.max").value(1));
    }

    @Test
    void theCountIsReadOnly() throws Exception {
        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_count"))
                .andExpect(jsonPath("$.writable").value(false))
                .andExpect(jsonPath("$.readOnlyReason").value(containsString("cannot be set")));
        putValue("net.netfilter.nf_conntrack_count", "{\"value\": 5}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:sysctl-read-only"));
        assertThat(read("proc/sys/net/netfilter/nf_conntrack_count")).isEqualTo("235930\n");
    }

    @Test
    void outsideTheInitialNamespaceMaxAndBucketsAreReadOnlyButTimeoutsAreNot() throws Exception {
        // The kernel registers net.nf_conntrack_max only in the initial namespace.
        ROOT.host().delete("proc/sys/net/nf_conntrack_max");

        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_max"))
                .andExpect(jsonPath("$.writable").value(false))
                .andExpect(jsonPath("$.readOnlyReason").value(containsString("initial network namespace")));
        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_buckets"))
                .andExpect(jsonPath("$.writable").value(false));
        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout"))
                .andExpect(jsonPath("$.writable").value(true));
        putValue("net.netfilter.nf_conntrack_max", "{\"value\": 300000}").andExpect(status().isConflict());
        assertThat(read(MAX)).isEqualTo("262144\n");
    }

    @Test
    void aFileTheKernelMarksReadOnlyIsNotWritable() throws Exception {
        java.nio.file.Files.setPosixFilePermissions(java.nio.file.Path.of(ROOT.proc(), "sys/net/netfilter/nf_conntrack_acct"),
                java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));

        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_acct"))
                .andExpect(jsonPath("$.writable").value(false))
                .andExpect(jsonPath("$.readOnlyReason").value(containsString("read-only")));
    }

    @Test
    void anUnknownKeyIs404AndAMalformedOneIs400() throws Exception {
        mvc.perform(get("/api/v1/sysctls/kernel.pid_max"))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value("key"));
        putValue("kernel.pid_max", "{\"value\": 5}").andExpect(status().isNotFound());
        mvc.perform(get("/api/v1/sysctls/net..netfilter")).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("key"));
    }

    @Test
    void theETagChangesWithTheValueAndIfNoneMatchAnswers304() throws Exception {
        String etag = mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout"))
                .andReturn().getResponse().getHeader("ETag");

        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout").header("If-None-Match", etag))
                .andExpect(status().isNotModified());
        ROOT.host().write(UDP, "31\n");
        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout").header("If-None-Match", etag))
                .andExpect(status().isOk())
                .andExpect(header().string("ETag", not(etag)));
    }

    // --- PUT

    @Test
    void putWritesTheFileAndAnswersWithBeforeAfterAndTheCommand() throws Exception {
        putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 45}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("APPLIED"))
                .andExpect(jsonPath("$.action").value("sysctl.set"))
                .andExpect(jsonPath("$.before['net.netfilter.nf_conntrack_udp_timeout']").value(30))
                .andExpect(jsonPath("$.after['net.netfilter.nf_conntrack_udp_timeout']").value(45))
                .andExpect(jsonPath("$.applied").value(true))
                .andExpect(jsonPath("$.dryRun").value(false))
                .andExpect(jsonPath("$.commands[0][0]").value("write"))
                .andExpect(jsonPath("$.commands[0][1]").value(ROOT.proc() + "/sys/net/netfilter/nf_conntrack_udp_timeout"))
                .andExpect(jsonPath("$.commands[0][2]").value("45"))
                .andExpect(jsonPath("$.warnings").isArray())
                .andExpect(jsonPath("$.auditId").isNotEmpty());
        assertThat(read(UDP)).isEqualTo("45\n");
        assertThat(ROOT.exists(DROP_IN)).isFalse();
    }

    @Test
    void aChangeIsAuditedAsIntentThenOutcomeWithBeforeAfterAndTheStepsRun() throws Exception {
        String auditId = auditId(putValue("net.netfilter.nf_conntrack_udp_timeout",
                "{\"value\": 45, \"reason\": \"ticket 7\"}").andExpect(status().isOk()));

        AuditTrail.Change change = AUDIT.change(auditId);
        assertThat(change.result()).isEqualTo("APPLIED");
        JsonNode intent = change.intent();
        assertThat(intent.get("action").asString()).isEqualTo("sysctl.set");
        assertThat(intent.get("target").asString()).isEqualTo("net.netfilter.nf_conntrack_udp_timeout");
        assertThat(intent.get("actor").asString()).isEqualTo("key:test-operator");
        assertThat(intent.at("/params/values/net.netfilter.nf_conntrack_udp_timeout").asLong()).isEqualTo(45);
        assertThat(intent.at("/params/reason").asString()).isEqualTo("ticket 7");
        assertThat(intent.at("/before/values/net.netfilter.nf_conntrack_udp_timeout").asLong()).isEqualTo(30);
        JsonNode outcome = change.outcome();
        assertThat(outcome.at("/before/values/net.netfilter.nf_conntrack_udp_timeout").asLong()).isEqualTo(30);
        assertThat(outcome.at("/after/values/net.netfilter.nf_conntrack_udp_timeout").asLong()).isEqualTo(45);
        assertThat(outcome.at("/after/dropIn").isNull()).isTrue();
        JsonNode step = outcome.get("commands").get(0);
        assertThat(step.get("argv").get(0).asString()).isEqualTo("write");
        assertThat(step.get("argv").get(2).asString()).isEqualTo("45");
        assertThat(step.get("exitCode").asInt()).isZero();
        assertThat(step.get("durationMillis").isIntegralNumber()).isTrue();
        assertThat(outcome.get("mode").asString()).isEqualTo("DIRECT");
    }

    @Test
    void whenTheIntentCannotBeWrittenTheChangeIsRefusedWith503AndNothingIsWritten() throws Exception {
        ROOT.age(UDP);
        ROOT.age(MAX);
        long intents = AUDIT.intents();

        AUDIT.unavailableDuring(() -> {
            putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 45, \"persist\": true}")
                    .andExpect(status().isServiceUnavailable())
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                    .andExpect(jsonPath("$.type").value("urn:ctagent:problem:audit-unavailable"));
            patchValues("{\"changes\": {\"net.netfilter.nf_conntrack_max\": 524288, "
                    + "\"net.netfilter.nf_conntrack_udp_timeout\": 45}}")
                    .andExpect(status().isServiceUnavailable());
        });

        assertThat(ROOT.untouched(UDP)).isTrue();
        assertThat(ROOT.untouched(MAX)).isTrue();
        assertThat(ROOT.exists(DROP_IN)).isFalse();
        assertThat(AUDIT.intents()).isEqualTo(intents);
        // The audit is back: the next change goes through and the chain still verifies.
        putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 45}").andExpect(status().isOk());
        mvc.perform(auditor(MockMvcRequestBuilders.get("/api/v1/audit/verify")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.ok").value(true));
    }

    @Test
    void theSameValueTwiceIsUnchangedAndWritesNothing() throws Exception {
        putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 45}").andExpect(status().isOk());
        ROOT.age(UDP);

        putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 45}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("UNCHANGED"))
                .andExpect(jsonPath("$.applied").value(false))
                .andExpect(jsonPath("$.commands", hasSize(0)));
        assertThat(ROOT.untouched(UDP)).isTrue();

        String auditId = auditId(putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 45}"));
        AuditTrail.Change change = AUDIT.change(auditId);
        assertThat(change.result()).isEqualTo("UNCHANGED");
        assertThat(change.outcome().get("commands")).isEmpty();
        assertThat(change.outcome().get("after")).isEqualTo(change.outcome().get("before"));
        assertThat(ROOT.untouched(UDP)).isTrue();
    }

    @Test
    void aStaleIfMatchIs412AndChangesNothingWhileACurrentOneApplies() throws Exception {
        String etag = mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout"))
                .andReturn().getResponse().getHeader("ETag");
        ROOT.host().write(UDP, "33\n");

        mvc.perform(put("/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout").header("If-Match", etag)
                        .contentType(MediaType.APPLICATION_JSON).content("{\"value\": 45}"))
                .andExpect(status().isPreconditionFailed())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        assertThat(read(UDP)).isEqualTo("33\n");

        String fresh = mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout"))
                .andReturn().getResponse().getHeader("ETag");
        mvc.perform(put("/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout").header("If-Match", fresh)
                        .contentType(MediaType.APPLICATION_JSON).content("{\"value\": 45}"))
                .andExpect(status().isOk());
        assertThat(read(UDP)).isEqualTo("45\n");
    }

    // --- guards

    @Test
    void aMaxBelowTheCurrentCountIsRefusedUnlessForcedWithAReason() throws Exception {
        putValue("net.netfilter.nf_conntrack_max", "{\"value\": 100000}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:guard-refused"))
                .andExpect(jsonPath("$.detail").value(containsString("below the 235930 entries")));
        putValue("net.netfilter.nf_conntrack_max", "{\"value\": 100000, \"force\": true, \"reason\": \"drill 42\"}")
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.detail").value(containsString("forcing past a sysctl guard needs role admin")));
        putValueAsAdmin("net.netfilter.nf_conntrack_max", "{\"value\": 100000, \"force\": true}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("reason"));
        assertThat(read(MAX)).isEqualTo("262144\n");

        putValueAsAdmin("net.netfilter.nf_conntrack_max", "{\"value\": 100000, \"force\": true, \"reason\": \"drill 42\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("APPLIED"))
                .andExpect(jsonPath("$.warnings[0]").value(containsString("drill 42")));
        assertThat(read(MAX)).isEqualTo("100000\n");
    }

    @Test
    void aMaxBeyondTheMemoryBudgetIsRefusedUnlessForced() throws Exception {
        // MemTotal 24576000 kB, 10 % budget = 2516582400 bytes = 9830400 entries of 256 bytes.
        putValue("net.netfilter.nf_conntrack_max", "{\"value\": 9830400}").andExpect(status().isOk());
        putValue("net.netfilter.nf_conntrack_max", "{\"value\": 9830401}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value(containsString("max-memory-percent")));
        assertThat(read(MAX)).isEqualTo("9830400\n");
        putValueAsAdmin("net.netfilter.nf_conntrack_max", "{\"value\": 9830401, \"force\": true, \"reason\": \"big box\"}")
                .andExpect(status().isOk());
    }

    // --- persistence

    @Test
    void persistWritesTheDropInKeepingCommentsAndRemovingDuplicates() throws Exception {
        ROOT.host().write(DROP_IN, """
                # hand-written note, keep me
                net.netfilter.nf_conntrack_udp_timeout = 60
                kernel.pid_max = 4194304
                net.netfilter.nf_conntrack_udp_timeout = 90
                """);

        putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 45, \"persist\": true}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.persist").value(true))
                .andExpect(jsonPath("$.files[0].path").value("/etc/sysctl.d/90-conntrack-agent.conf"));

        assertThat(read(DROP_IN)).isEqualTo("""
                # hand-written note, keep me
                net.netfilter.nf_conntrack_udp_timeout = 45
                kernel.pid_max = 4194304
                """);
        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout"))
                .andExpect(jsonPath("$.persistedValue").value(45))
                .andExpect(jsonPath("$.persistedIn").value("/etc/sysctl.d/90-conntrack-agent.conf"))
                .andExpect(jsonPath("$.warnings", hasSize(0)));
    }

    @Test
    void persistingAValueTheHostAlreadyRunsOnlyWritesTheFile() throws Exception {
        ROOT.age(UDP);

        putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 30, \"persist\": true}")
                .andExpect(jsonPath("$.result").value("APPLIED"))
                .andExpect(jsonPath("$.commands", hasSize(2)));
        assertThat(ROOT.untouched(UDP)).isTrue();
        assertThat(read(DROP_IN)).contains("net.netfilter.nf_conntrack_udp_timeout = 30");

        putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 30, \"persist\": true}")
                .andExpect(jsonPath("$.result").value("UNCHANGED"));
    }

    @Test
    void filesThatSysctlSystemAppliesLaterAreWarningsWithTheBootValue() throws Exception {
        ROOT.host().write("usr/lib/sysctl.d/50-default.conf", "net.netfilter.nf_conntrack_max = 65536\n");
        ROOT.host().write("run/sysctl.d/95-runtime.conf", "net.netfilter.nf_conntrack_udp_timeout = 20\n");
        ROOT.host().write("etc/sysctl.d/99-zz-local.conf", "# local\nnet.nf_conntrack_max=131072\n");
        ROOT.host().write("etc/sysctl.conf", "net.netfilter.nf_conntrack_acct = 1\n");

        putValue("net.netfilter.nf_conntrack_max", "{\"value\": 524288, \"persist\": true}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.warnings[*]", hasItem(containsString("/etc/sysctl.d/99-zz-local.conf"))));
        putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 45, \"persist\": true}")
                .andExpect(jsonPath("$.warnings[*]", hasItem(containsString("/run/sysctl.d/95-runtime.conf"))));

        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_max"))
                .andExpect(jsonPath("$.value").value(524288))
                .andExpect(jsonPath("$.persistedValue").value(131072))
                .andExpect(jsonPath("$.persistedIn").value("/etc/sysctl.d/99-zz-local.conf"))
                .andExpect(jsonPath("$.warnings[*]", hasItem(containsString("line 2"))));
        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_acct"))
                .andExpect(jsonPath("$.persistedValue").value(1))
                .andExpect(jsonPath("$.persistedIn").value("/etc/sysctl.conf"))
                .andExpect(jsonPath("$.warnings[0]").value(containsString("a reboot would change")));
        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_buckets"))
                .andExpect(jsonPath("$.persistedValue").isEmpty())
                .andExpect(jsonPath("$.warnings", hasSize(0)));
    }

    @Test
    void aFileInEtcMasksTheSameNameInUsrLib() throws Exception {
        ROOT.host().write("usr/lib/sysctl.d/50-default.conf", "net.netfilter.nf_conntrack_acct = 1\n");
        ROOT.host().write("etc/sysctl.d/50-default.conf", "# emptied by the admin\n");

        mvc.perform(get("/api/v1/sysctls/net.netfilter.nf_conntrack_acct"))
                .andExpect(jsonPath("$.persistedValue").isEmpty());
    }

    @Test
    void aDryRunChangesNothingAndShowsTheCommandsAndTheFileContent() throws Exception {
        ROOT.host().write(DROP_IN, "# mine\n");

        putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 45, \"persist\": true, \"dryRun\": true}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("DRY_RUN"))
                .andExpect(jsonPath("$.dryRun").value(true))
                .andExpect(jsonPath("$.applied").value(false))
                .andExpect(jsonPath("$.after['net.netfilter.nf_conntrack_udp_timeout']").value(45))
                .andExpect(jsonPath("$.commands", hasSize(3)))
                .andExpect(jsonPath("$.files[0].content").value("# mine\nnet.netfilter.nf_conntrack_udp_timeout = 45\n"));
        assertThat(read(UDP)).isEqualTo("30\n");
        assertThat(read(DROP_IN)).isEqualTo("# mine\n");

        String auditId = auditId(putValue("net.netfilter.nf_conntrack_udp_timeout",
                "{\"value\": 45, \"persist\": true, \"dryRun\": true}"));
        AuditTrail.Change change = AUDIT.change(auditId);
        assertThat(change.result()).isEqualTo("DRY_RUN");
        assertThat(change.outcome().get("commands")).hasSize(3)
                .allSatisfy(step -> assertThat(step.get("exitCode").isNull()).isTrue());
        assertThat(change.outcome().at("/after/values/net.netfilter.nf_conntrack_udp_timeout").asLong()).isEqualTo(45);
        assertThat(change.outcome().at("/after/dropIn/net.netfilter.nf_conntrack_udp_timeout").asLong()).isEqualTo(45);
        assertThat(change.outcome().at("/before/dropIn/net.netfilter.nf_conntrack_udp_timeout").isNull()).isTrue();
    }

    // --- PATCH

    @Test
    void patchAppliesEveryKeyInOrderAndPersistsThemInOneFile() throws Exception {
        patchValues("""
                {"changes": {"net.netfilter.nf_conntrack_max": 524288,
                             "net.netfilter.nf_conntrack_tcp_timeout_established": 7875},
                 "persist": true}""")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("APPLIED"))
                .andExpect(jsonPath("$.action").value("sysctl.batch"))
                .andExpect(jsonPath("$.before['net.netfilter.nf_conntrack_max']").value(262144))
                .andExpect(jsonPath("$.after['net.netfilter.nf_conntrack_tcp_timeout_established']").value(7875))
                .andExpect(jsonPath("$.commands[0][1]").value(containsString("nf_conntrack_max")))
                .andExpect(jsonPath("$.commands[1][1]").value(containsString("established")));
        assertThat(read(MAX)).isEqualTo("524288\n");
        assertThat(read(DROP_IN)).endsWith("""
                net.netfilter.nf_conntrack_max = 524288
                net.netfilter.nf_conntrack_tcp_timeout_established = 7875
                """);
    }

    @Test
    void aBatchIsOneIntentAndOneOutcome() throws Exception {
        long records = AUDIT.records().size();

        String auditId = auditId(patchValues("""
                {"changes": {"net.netfilter.nf_conntrack_max": 524288,
                             "net.netfilter.nf_conntrack_udp_timeout": 45}}""").andExpect(status().isOk()));

        assertThat(AUDIT.records()).hasSize((int) records + 2);
        AuditTrail.Change change = AUDIT.change(auditId);
        assertThat(change.result()).isEqualTo("APPLIED");
        assertThat(change.intent().get("action").asString()).isEqualTo("sysctl.batch");
        assertThat(change.intent().get("target").asString())
                .isEqualTo("net.netfilter.nf_conntrack_max,net.netfilter.nf_conntrack_udp_timeout");
        assertThat(change.outcome().at("/after/values/net.netfilter.nf_conntrack_max").asLong()).isEqualTo(524288);
        assertThat(change.outcome().get("commands")).hasSize(2);
    }

    @Test
    void patchValidatesEveryKeyBeforeWritingAny() throws Exception {
        patchValues("{\"changes\": {\"net.netfilter.nf_conntrack_udp_timeout\": 45, "
                + "\"net.netfilter.nf_conntrack_max\": \"lots\"}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("changes[net.netfilter.nf_conntrack_max]"));
        patchValues("{\"changes\": {\"net.netfilter.nf_conntrack_udp_timeout\": 45, \"kernel.pid_max\": 1}}")
                .andExpect(status().isNotFound());
        patchValues("{\"changes\": {\"net.netfilter.nf_conntrack_udp_timeout\": 45, "
                + "\"net.netfilter.nf_conntrack_max\": 1000}}")
                .andExpect(status().isConflict());
        assertThat(read(UDP)).isEqualTo("30\n");
        assertThat(read(MAX)).isEqualTo("262144\n");
    }

    @Test
    void bothNamesOfMaxInOneBatchAreRefused() throws Exception {
        patchValues("{\"changes\": {\"net.netfilter.nf_conntrack_max\": 300000, \"net.nf_conntrack_max\": 400000}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("changes"));
    }

    // --- rollback

    @Test
    void rollbackRestoresTheBeforeValuesAndTheDropInAsANewAuditedChange() throws Exception {
        ROOT.host().write(DROP_IN, "net.netfilter.nf_conntrack_udp_timeout = 60\n");
        String changed = auditId(patchValues("{\"changes\": {\"net.netfilter.nf_conntrack_max\": 524288, "
                + "\"net.netfilter.nf_conntrack_udp_timeout\": 45}, \"persist\": true}").andExpect(status().isOk()));
        assertThat(read(DROP_IN)).contains("net.netfilter.nf_conntrack_udp_timeout = 45")
                .contains("net.netfilter.nf_conntrack_max = 524288");
        ROOT.host().write(DROP_IN, "# admin note\n" + read(DROP_IN));

        String rolledBack = auditId(mvc.perform(post("/api/v1/sysctls/rollback")
                        .contentType(MediaType.APPLICATION_JSON).content("{\"auditId\": \"" + changed + "\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("APPLIED"))
                .andExpect(jsonPath("$.action").value("sysctl.rollback"))
                .andExpect(jsonPath("$.persist").value(true))
                .andExpect(jsonPath("$.after['net.netfilter.nf_conntrack_max']").value(262144)));

        assertThat(read(MAX)).isEqualTo("262144\n");
        assertThat(read(UDP)).isEqualTo("30\n");
        assertThat(read(DROP_IN)).contains("# admin note").contains("net.netfilter.nf_conntrack_udp_timeout = 60")
                .doesNotContain("nf_conntrack_max");
        AuditTrail.Change rollback = AUDIT.change(rolledBack);
        assertThat(rollback.result()).isEqualTo("APPLIED");
        assertThat(rollback.intent().at("/params/rollbackOf").asString()).isEqualTo(changed);
        assertThat(rollback.outcome().at("/before/values/net.netfilter.nf_conntrack_max").asLong()).isEqualTo(524288);
        assertThat(rollback.outcome().at("/after/dropIn/net.netfilter.nf_conntrack_udp_timeout").asLong()).isEqualTo(60);
        assertThat(rollback.outcome().at("/after/dropIn/net.netfilter.nf_conntrack_max").isNull()).isTrue();
    }

    @Test
    void rollbackOfAChangeThatWasNotPersistedLeavesTheDropInAlone() throws Exception {
        String changed = auditId(putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 45}"));
        ROOT.host().write(DROP_IN, "net.netfilter.nf_conntrack_udp_timeout = 99\n");

        mvc.perform(post("/api/v1/sysctls/rollback").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"auditId\": \"" + changed + "\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.persist").value(false))
                .andExpect(jsonPath("$.after['net.netfilter.nf_conntrack_udp_timeout']").value(30));
        assertThat(read(UDP)).isEqualTo("30\n");
        assertThat(read(DROP_IN)).isEqualTo("net.netfilter.nf_conntrack_udp_timeout = 99\n");
    }

    @Test
    void rollbackOfAnUnknownChangeIs404AndAMalformedIdIs400() throws Exception {
        mvc.perform(post("/api/v1/sysctls/rollback").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"auditId\": \"nope\"}"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:change-not-found"))
                .andExpect(jsonPath("$.field").value("auditId"));
        mvc.perform(post("/api/v1/sysctls/rollback").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"auditId\": \"../x\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("auditId"));
    }

    @Test
    void onlyAnAppliedSysctlChangeCanBeRolledBack() throws Exception {
        String unchanged = auditId(putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 30}"));
        String planned = auditId(putValue("net.netfilter.nf_conntrack_udp_timeout",
                "{\"value\": 45, \"dryRun\": true}"));
        String resized = auditId(mvc.perform(put("/api/v1/hashsize").contentType(MediaType.APPLICATION_JSON)
                .content("{\"value\": 131072}")).andExpect(status().isOk()));
        ROOT.age(UDP);

        for (String auditId : new String[] {unchanged, planned}) {
            mvc.perform(post("/api/v1/sysctls/rollback").contentType(MediaType.APPLICATION_JSON)
                            .content("{\"auditId\": \"" + auditId + "\"}"))
                    .andExpect(status().isConflict())
                    .andExpect(jsonPath("$.type").value("urn:ctagent:problem:change-not-applied"))
                    .andExpect(jsonPath("$.field").value("auditId"));
        }
        mvc.perform(post("/api/v1/sysctls/rollback").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"auditId\": \"" + resized + "\"}"))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:not-a-sysctl-change"))
                .andExpect(jsonPath("$.detail").value(containsString("PUT /api/v1/hashsize")))
                .andExpect(jsonPath("$.detail").value(containsString("{\"value\": 65536}")));
        assertThat(ROOT.untouched(UDP)).isTrue();
    }

    @Test
    void theIntentIdOfAChangeLeadsToItsOutcomeToo() throws Exception {
        String changed = auditId(putValue("net.netfilter.nf_conntrack_udp_timeout", "{\"value\": 45}"));
        String intentId = AUDIT.change(changed).intent().get("id").asString();

        mvc.perform(post("/api/v1/sysctls/rollback").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"auditId\": \"" + intentId + "\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.after['net.netfilter.nf_conntrack_udp_timeout']").value(30));
    }

    // --- namespaces

    @Test
    void persistWithANamedNamespaceIs400AndAnUnknownNamespaceIs404() throws Exception {
        ROOT.host().write("run/netns/lab1", "");

        mvc.perform(put("/api/v1/sysctls/net.netfilter.nf_conntrack_udp_timeout").param("netns", "lab1")
                        .contentType(MediaType.APPLICATION_JSON).content("{\"value\": 45, \"persist\": true}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("persist"));
        mvc.perform(get("/api/v1/sysctls").param("netns", "ghost")).andExpect(status().isNotFound());
        mvc.perform(get("/api/v1/sysctls").param("netns", "../etc")).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("netns"));
    }

    @Test
    void globalKeysInANamedNamespaceAreReadOnly() throws Exception {
        ROOT.host().write("run/netns/lab1", "");

        mvc.perform(put("/api/v1/sysctls/net.netfilter.nf_conntrack_max").param("netns", "lab1")
                        .contentType(MediaType.APPLICATION_JSON).content("{\"value\": 300000}"))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value(containsString("Change it without ?netns=")));
    }
}
