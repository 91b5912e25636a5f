package io.ctagent.launch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import io.ctagent.ConntrackAgentApplication;
import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.TestApiKeys;

class TrainingRunTest {

    private final FakeHost host = FakeHost.create("training");

    private String[] hostArgs() {
        return new String[] {
                "--ctagent.host.proc-root=" + host.procRoot(),
                "--ctagent.host.sys-root=" + host.sysRoot(),
                "--ctagent.host.rootfs=" + host.rootfs(),
                "--ctagent.audit.path=" + host.auditFile(),
                "--ctagent.notrack.state-file=" + host.root().resolve("notrack.json"),
                "--spring.main.banner-mode=off",
        };
    }

    @Test
    void startsServesAndStopsWithExitCodeZero() {
        String[] args = new String[hostArgs().length + 1];
        System.arraycopy(hostArgs(), 0, args, 0, hostArgs().length);
        args[args.length - 1] = TrainingRun.FLAG;

        assertThat(TrainingRun.run(ConntrackAgentApplication.class, args)).isZero();
    }

    @Test
    void itsRequestsAreAnsweredAsAClientsWouldBe() throws Exception {
        String[] keys = TestApiKeys.properties();
        String[] args = new String[hostArgs().length + keys.length + 2];
        System.arraycopy(hostArgs(), 0, args, 0, hostArgs().length);
        for (int i = 0; i < keys.length; i++) {
            args[hostArgs().length + i] = "--" + keys[i];
        }
        args[args.length - 2] = "--server.port=0";
        args[args.length - 1] = "--server.address=127.0.0.1";
        try (ConfigurableApplicationContext context = SpringApplication.run(ConntrackAgentApplication.class, args)) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();

            // A malformed request would be trained as a 400 and teach the archive nothing of the reads.
            assertThat(TrainingRun.get(port, "/actuator/health/readiness", null)).isEqualTo(200);
            assertThat(TrainingRun.get(port, "/api/v1/conntrack/usage", TestApiKeys.VIEWER)).isEqualTo(200);
            assertThat(TrainingRun.get(port, "/api/v1/conntrack/usage", null)).isEqualTo(401);
            assertThat(TrainingRun.get(port, "/api/v1/conntrack/usage", "not-the-key")).isEqualTo(401);
        }
    }

    @Test
    void onlyTheFlagAsksForIt() {
        assertThat(TrainingRun.requested(new String[] {"--server.port=0", "--cds-training"})).isTrue();
        assertThat(TrainingRun.requested(new String[] {"--server.port=0"})).isFalse();
    }
}
