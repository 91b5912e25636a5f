package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import io.ctagent.ConntrackAgentApplication;
import io.ctagent.testsupport.FakeHost;
import io.ctagent.testsupport.SpecValidation;

/** What the agent does at start-up: refuse a bad audit path or an exposed unkeyed bind; invent a key. */
@ExtendWith(OutputCaptureExtension.class)
class StartupTest {

    static final FakeHost HOST = FakeHost.create("startup");

    @TempDir
    Path dir;

    static ConfigurableApplicationContext start(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--ctagent.host.proc-root=" + HOST.procRoot();
        all[1] = "--ctagent.host.sys-root=" + HOST.sysRoot();
        all[2] = "--ctagent.host.mode=dry-run";
        all[3] = "--server.port=0";
        System.arraycopy(args, 0, all, 4, args.length);
        return new SpringApplicationBuilder(ConntrackAgentApplication.class).run(all);
    }

    @Test
    void anAuditPathInAMissingDirectoryFailsTheStart() {
        assertThatThrownBy(() -> start("--ctagent.audit.path=" + dir.resolve("missing/audit.jsonl")))
                .hasStackTraceContaining("ctagent.audit.path")
                .hasStackTraceContaining("directory does not exist");
    }

    @Test
    void anAuditPathUnderAPlainFileFailsTheStart() throws Exception {
        Path plain = Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> start("--ctagent.audit.path=" + plain.resolve("audit.jsonl")))
                .hasStackTraceContaining("Cannot open the audit log");
    }

    @Test
    void noKeysAndAnExposedAddressFailsTheStart() {
        assertThatThrownBy(() -> start("--ctagent.audit.path=" + dir.resolve("audit.jsonl"),
                "--server.address=0.0.0.0"))
                .hasStackTraceContaining("no API key is configured");
    }

    @Test
    void aKeyHashThatIsNotAHashFailsTheStartWithoutEchoingIt(CapturedOutput output) {
        assertThatThrownBy(() -> start("--ctagent.audit.path=" + dir.resolve("audit.jsonl"),
                "--ctagent.security.api-keys[0].name=ops",
                "--ctagent.security.api-keys[0].sha256=my-plain-secret",
                "--ctagent.security.api-keys[0].roles=admin"))
                .hasStackTraceContaining("ctagent.security.api-keys[0].sha256")
                .satisfies(failure -> assertThat(failure).hasStackTraceContaining("sha256sum"));
        assertThat(output.getAll()).doesNotContain("my-plain-secret");
    }

    @Test
    void noKeysOnLoopbackWritesOneAdminKeyThatWorksToAFileTheLogNames(CapturedOutput output) throws Exception {
        Path keyFile = dir.resolve("admin-key");
        try (ConfigurableApplicationContext context = start("--ctagent.audit.path=" + dir.resolve("audit.jsonl"),
                "--ctagent.security.generated-key-file=" + keyFile)) {
            String key = Files.readString(keyFile).strip();
            assertThat(key).matches("cta_[A-Za-z0-9_-]{43}");
            assertThat(output.getOut()).as("the log names the file").contains("KEY=$(cat " + keyFile + ")")
                    .as("and never holds the key").doesNotContain(key);

            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> audit = SpecValidation.check(http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/audit/verify"))
                    .header("X-API-Key", key).build(), HttpResponse.BodyHandlers.ofString()));
            assertThat(audit.statusCode()).isEqualTo(200);
            HttpResponse<String> anonymous = SpecValidation.check(http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/agent")).build(),
                    HttpResponse.BodyHandlers.ofString()));
            assertThat(anonymous.statusCode()).isEqualTo(401);
        }
        assertThat(keyFile).as("the key file goes with the run").doesNotExist();
    }

    @Test
    void jwtWithoutAnAudienceFailsTheStartNamingTheSetting() {
        assertThatThrownBy(() -> start("--ctagent.audit.path=" + dir.resolve("audit.jsonl"),
                "--ctagent.security.jwt.issuer-uri=https://idp.example.test/realms/ops"))
                .hasStackTraceContaining("ctagent.security.jwt.audiences")
                .hasStackTraceContaining("tokens it issued to other clients");
    }

    @Test
    void aJwkSetUriWithoutAnIssuerFailsTheStart() {
        assertThatThrownBy(() -> start("--ctagent.audit.path=" + dir.resolve("audit.jsonl"),
                "--ctagent.security.jwt.jwk-set-uri=https://idp.example.test/keys",
                "--ctagent.security.jwt.audiences=conntrack-agent"))
                .hasStackTraceContaining("ctagent.security.jwt.issuer");
    }
}
