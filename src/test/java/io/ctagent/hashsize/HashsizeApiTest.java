package io.ctagent.hashsize;

import static io.ctagent.testsupport.KeyedRequests.get;
import static io.ctagent.testsupport.KeyedRequests.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

import io.ctagent.audit.AuditLog;
import io.ctagent.testsupport.AuditTrail;
import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.TestApiKeys;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest
@AutoConfigureMockMvc
class HashsizeApiTest {

    static final Path DIR;
    static final AuditTrail AUDIT = AuditTrail.inTempDir("ctagent-hashsize-audit");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static FakeHost host;

    static {
        try {
            DIR = Files.createTempDirectory("ctagent-hashsize");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final String BUCKETS = "proc/sys/net/netfilter/nf_conntrack_buckets";
    static final String HASHSIZE = "sys/module/nf_conntrack/parameters/hashsize";
    static final String DROP_IN = "etc/sysctl.d/90-conntrack-agent.conf";
    static final String MODPROBE = "etc/modprobe.d/conntrack-agent.conf";

    @DynamicPropertySource
    static void hostRoots(DynamicPropertyRegistry registry) {
        FakeHost.register(registry, DIR, "direct");
        TestApiKeys.register(registry);
        AUDIT.register(registry);
    }

    @Autowired
    MockMvc mvc;

    @MockitoSpyBean
    AuditLog auditLog;

    @BeforeEach
    void reset() throws IOException {
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(DIR)).toList()) {
                Files.delete(path);
            }
        }
        host = FakeHost.copyTo(DIR);
    }

    private void loadableModule() {
        host.write("sys/module/nf_conntrack/initstate", "live\n");
    }

    private ResultActions resize(String body) throws Exception {
        return mvc.perform(put("/api/v1/hashsize").contentType(MediaType.APPLICATION_JSON).content(body));
    }

    /** The audited change a response names by its auditId. */
    private static AuditTrail.Change audited(ResultActions result) throws Exception {
        JsonNode body = JSON.readTree(result.andReturn().getResponse().getContentAsString());
        assertThat(body.path("auditId").isString()).as("auditId in " + body).isTrue();
        AuditTrail.Change change = AUDIT.change(body.get("auditId").asString());
        assertThat(change.intent().get("action").asString()).isEqualTo("hashsize.set");
        assertThat(change.intent().get("target").asString()).isEqualTo("net.netfilter.nf_conntrack_buckets");
        return change;
    }

    @Test
    void aTableShrunkToLongChainsIsRefusedAndAnOperatorCannotForceIt() throws Exception {
        resize("{\"value\": 1}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:guard-refused"))
                .andExpect(jsonPath("$.detail").value(containsString("262144 entries per bucket at nf_conntrack_max "
                        + "= 262144, more than 8")));
        resize("{\"value\": 1, \"force\": true, \"reason\": \"test\"}")
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.requiredRole").value("admin"))
                .andExpect(jsonPath("$.detail").value(containsString("forcing past a sysctl guard needs role admin")));
        assertThat(host.read(BUCKETS)).isEqualTo("65536\n");
        assertThat(host.read(HASHSIZE)).isEqualTo("65536\n");
        // Eight entries per bucket at max is the most a shrink may leave without force.
        resize("{\"value\": 32768}").andExpect(status().isOk());
    }

    @Test
    void showsSizeRatioWritabilityAndThatTheFixtureIsBuiltIn() throws Exception {
        mvc.perform(get("/api/v1/hashsize"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.hashsize").value(65536))
                .andExpect(jsonPath("$.buckets").value(65536))
                .andExpect(jsonPath("$.max").value(262144))
                .andExpect(jsonPath("$.maxPerBucket").value(4.0))
                .andExpect(jsonPath("$.chainLengthAtMax").value(8.0))
                .andExpect(jsonPath("$.writable").value(true))
                .andExpect(jsonPath("$.writeMethod").value("sysctl"))
                .andExpect(jsonPath("$.builtIn").value(true))
                .andExpect(jsonPath("$.persistedValue").isEmpty())
                .andExpect(jsonPath("$.persistedIn").isEmpty());
        loadableModule();
        mvc.perform(get("/api/v1/hashsize")).andExpect(jsonPath("$.builtIn").value(false));
    }

    @Test
    void resizesThroughTheBucketsSysctl() throws Exception {
        resize("{\"value\": 262144}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("APPLIED"))
                .andExpect(jsonPath("$.action").value("hashsize.set"))
                .andExpect(jsonPath("$.before['net.netfilter.nf_conntrack_buckets']").value(65536))
                .andExpect(jsonPath("$.after['net.netfilter.nf_conntrack_buckets']").value(262144))
                .andExpect(jsonPath("$.commands[0][1]").value(containsString("nf_conntrack_buckets")));
        assertThat(host.read(BUCKETS)).isEqualTo("262144\n");
        resize("{\"value\": 262144}").andExpect(jsonPath("$.result").value("UNCHANGED"));
    }

    @Test
    void aDryRunOfTheSizeItAlreadyHasSaysItIsADryRun() throws Exception {
        resize("{\"value\": 65536, \"dryRun\": true}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("UNCHANGED"))
                .andExpect(jsonPath("$.dryRun").value(true))
                .andExpect(jsonPath("$.applied").value(false));
    }

    @Test
    void anUnknownFieldIs400NamingItAndTheTableIsNotResized() throws Exception {
        resize("{\"value\": 262144, \"dryrun\": true}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("dryrun"));
        assertThat(host.read(BUCKETS)).isEqualTo("65536\n");
    }

    @Test
    void eachResizeIsAuditedAppliedOrUnchangedWithBeforeAfterAndSteps() throws Exception {
        AuditTrail.Change applied = audited(resize("{\"value\": 262144, \"reason\": \"runbook\"}")
                .andExpect(status().isOk()));
        assertThat(applied.result()).isEqualTo("APPLIED");
        assertThat(applied.intent().at("/params/value").asLong()).isEqualTo(262144);
        assertThat(applied.intent().at("/params/reason").asString()).isEqualTo("runbook");
        assertThat(applied.outcome().at("/before/values/net.netfilter.nf_conntrack_buckets").asLong()).isEqualTo(65536);
        assertThat(applied.outcome().at("/after/values/net.netfilter.nf_conntrack_buckets").asLong()).isEqualTo(262144);
        assertThat(applied.outcome().get("commands")).singleElement()
                .satisfies(step -> assertThat(step.get("exitCode").asInt()).isZero());

        host.write(BUCKETS, "262144\n");
        java.nio.file.Files.setLastModifiedTime(DIR.resolve(BUCKETS), java.nio.file.attribute.FileTime.fromMillis(0));
        AuditTrail.Change unchanged = audited(resize("{\"value\": 262144}").andExpect(status().isOk()));
        assertThat(unchanged.result()).isEqualTo("UNCHANGED");
        assertThat(unchanged.outcome().get("commands")).isEmpty();
        assertThat(java.nio.file.Files.getLastModifiedTime(DIR.resolve(BUCKETS)).toMillis()).isZero();
    }

    @Test
    void whenTheOutcomeIsLostTheResizeAnswers200WithAWarningAndNamesTheKeyAsActor() throws Exception {
        AUDIT.losingOutcomes(auditLog);
        int before = AUDIT.records().size();

        String body = resize("{\"value\": 262144}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("APPLIED"))
                .andExpect(jsonPath("$.warnings", hasItem(containsString("outcome could not be written"))))
                .andReturn().getResponse().getContentAsString();

        assertThat(host.read(BUCKETS)).isEqualTo("262144\n");
        List<JsonNode> records = AUDIT.records();
        assertThat(records.subList(before, records.size())).singleElement().satisfies(intent -> {
            assertThat(intent.path("phase").asString()).isEqualTo("intent");
            assertThat(intent.path("actor").asString()).isEqualTo("key:test-operator");
            assertThat(JSON.readTree(body).path("auditId").asString()).isEqualTo(intent.path("id").asString());
        });
    }

    @Test
    void whenTheIntentCannotBeWrittenTheTableIsNotResized() throws Exception {
        long intents = AUDIT.intents();

        AUDIT.unavailableDuring(() -> resize("{\"value\": 262144, \"persist\": true}")
                .andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:audit-unavailable")));

        assertThat(host.read(BUCKETS)).isEqualTo("65536\n");
        assertThat(DIR.resolve(DROP_IN)).doesNotExist();
        assertThat(AUDIT.intents()).isEqualTo(intents);
    }

    @Test
    void whenTheBucketsSysctlIsReadOnlyItResizesThroughTheModuleParameter() throws Exception {
        Files.setPosixFilePermissions(DIR.resolve(BUCKETS), PosixFilePermissions.fromString("r--r--r--"));

        mvc.perform(get("/api/v1/hashsize")).andExpect(jsonPath("$.writeMethod").value("sysfs"));
        resize("{\"value\": 131072}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.commands[0][1]").value(DIR.resolve(HASHSIZE).toString()));
        assertThat(host.read(HASHSIZE)).isEqualTo("131072\n");
    }

    @Test
    void persistingAModuleWritesTheSysctlDropInAndModprobeOptions() throws Exception {
        loadableModule();
        host.write(MODPROBE, "# mine\noptions nf_conntrack expect_hashsize=512 hashsize=16384\n");

        resize("{\"value\": 262144, \"persist\": true}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.files", hasSize(2)))
                .andExpect(jsonPath("$.files[1].path").value("/etc/modprobe.d/conntrack-agent.conf"));

        assertThat(host.read(DROP_IN)).contains("net.netfilter.nf_conntrack_buckets = 262144");
        assertThat(host.read(MODPROBE)).isEqualTo("""
                # mine
                options nf_conntrack expect_hashsize=512
                options nf_conntrack hashsize=262144
                """);
        mvc.perform(get("/api/v1/hashsize"))
                .andExpect(jsonPath("$.persistedValue").value(262144))
                .andExpect(jsonPath("$.persistedIn").value("/etc/sysctl.d/90-conntrack-agent.conf"))
                .andExpect(jsonPath("$.warnings", hasSize(0)));
    }

    @Test
    void persistingABuiltInTableWritesOnlyTheSysctlDropIn() throws Exception {
        resize("{\"value\": 262144, \"persist\": true}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.files", hasSize(1)))
                .andExpect(jsonPath("$.warnings[*]", hasItem(containsString("built into this kernel"))));
        assertThat(DIR.resolve(MODPROBE)).doesNotExist();
        assertThat(host.read(DROP_IN)).contains("net.netfilter.nf_conntrack_buckets = 262144");
    }

    @Test
    void aDryRunShowsCommandsAndBothFilesAndChangesNothing() throws Exception {
        loadableModule();

        resize("{\"value\": 262144, \"persist\": true, \"dryRun\": true}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("DRY_RUN"))
                .andExpect(jsonPath("$.commands", hasSize(5)))
                .andExpect(jsonPath("$.files[1].content").value(containsString("options nf_conntrack hashsize=262144")));
        assertThat(host.read(BUCKETS)).isEqualTo("65536\n");
        assertThat(DIR.resolve(DROP_IN)).doesNotExist();
        assertThat(DIR.resolve(MODPROBE)).doesNotExist();

        AuditTrail.Change planned = audited(resize("{\"value\": 262144, \"persist\": true, \"dryRun\": true}"));
        assertThat(planned.result()).isEqualTo("DRY_RUN");
        assertThat(planned.outcome().get("commands")).hasSize(5)
                .allSatisfy(step -> assertThat(step.get("exitCode").isNull()).isTrue());
        assertThat(planned.outcome().at("/after/values/net.netfilter.nf_conntrack_buckets").asLong()).isEqualTo(262144);
        assertThat(host.read(BUCKETS)).isEqualTo("65536\n");
    }

    @Test
    void outsideTheInitialNamespaceItIsReadOnlyWithTheReason() throws Exception {
        host.delete("proc/sys/net/nf_conntrack_max");

        mvc.perform(get("/api/v1/hashsize"))
                .andExpect(jsonPath("$.writable").value(false))
                .andExpect(jsonPath("$.readOnlyReason").value(containsString("EOPNOTSUPP")));
        resize("{\"value\": 262144}").andExpect(status().isConflict());
        resize("{\"value\": 262144, \"dryRun\": true}").andExpect(status().isConflict());
        assertThat(host.read(BUCKETS)).isEqualTo("65536\n");
    }

    @Test
    void whenTheModprobeFileCannotBeWrittenTheDropInAndTheTableArePutBack() throws Exception {
        loadableModule();
        host.write("etc/sysctl.d/90-conntrack-agent.conf", "# before\n");
        // A directory where the managed file should be: the rename over it fails (EISDIR).
        host.write(MODPROBE + "/in-the-way", "x");

        AuditTrail.Change failed = audited(resize("{\"value\": 262144, \"persist\": true}")
                .andExpect(status().is5xxServerError())
                .andExpect(jsonPath("$.result").value("FAILED"))
                .andExpect(jsonPath("$.after['net.netfilter.nf_conntrack_buckets']").value(65536))
                .andExpect(jsonPath("$.warnings[*]", hasItem(containsString("Restored the table to 65536")))));

        assertThat(host.read(BUCKETS)).isEqualTo("65536\n");
        assertThat(host.read(DROP_IN)).isEqualTo("# before\n");
        assertThat(failed.result()).isEqualTo("FAILED");
        assertThat(failed.outcome().get("reason").asString()).contains("conntrack-agent.conf");
        assertThat(failed.outcome().at("/after/values/net.netfilter.nf_conntrack_buckets").asLong()).isEqualTo(65536);
        assertThat(failed.outcome().at("/after/dropIn/net.netfilter.nf_conntrack_buckets").isNull()).isTrue();
        // resize, drop-in (temp + rename), modprobe file (temp written, rename refused), drop-in put back, table put back
        JsonNode steps = failed.outcome().get("commands");
        assertThat(steps.findValues("exitCode").stream().map(JsonNode::asInt).toList())
                .containsExactly(0, 0, 0, 0, 1, 0, 0, 0);
    }

    @Test
    void aTableBeyondTheMemoryBudgetNeedsForce() throws Exception {
        // 10 % of 24576000 kB = 2516582400 bytes = 314572800 buckets of 8 bytes.
        resize("{\"value\": 314572801}").andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("urn:ctagent:problem:guard-refused"));
        assertThat(host.read(BUCKETS)).isEqualTo("65536\n");
    }

    @Test
    void badValuesAre400NamingTheField() throws Exception {
        for (String value : new String[] {"\"65536\"", "0", "-5", "9223372036854775808", "\"1;reboot\"", "1.5"}) {
            resize("{\"value\": " + value + "}").andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.field").value("value"));
        }
        assertThat(host.read(BUCKETS)).isEqualTo("65536\n");
    }

    @Test
    void bootValuesFromModprobeAndTheCommandLineAreShownWithTheirConflicts() throws Exception {
        host.write("usr/lib/modprobe.d/50-vendor.conf", "options nf_conntrack hashsize=16384\n");
        host.write("proc/cmdline", "ro quiet nf_conntrack.hashsize=32768\n");

        mvc.perform(get("/api/v1/hashsize"))
                .andExpect(jsonPath("$.persistedValue").value(32768))
                .andExpect(jsonPath("$.persistedIn").value("/proc/cmdline"))
                .andExpect(jsonPath("$.warnings[*]", hasItem(containsString("is ignored"))));
        loadableModule();
        host.write("etc/sysctl.d/60-net.conf", "net.netfilter.nf_conntrack_buckets = 65536\n");
        mvc.perform(get("/api/v1/hashsize"))
                .andExpect(jsonPath("$.persistedValue").value(65536))
                .andExpect(jsonPath("$.persistedIn").value("/etc/sysctl.d/60-net.conf"))
                .andExpect(jsonPath("$.warnings[*]", hasItem(containsString("make them agree"))));
    }
}
