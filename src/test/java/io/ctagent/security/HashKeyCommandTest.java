package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class HashKeyCommandTest {

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String stdin) {
        return HashKeyCommand.run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void printsTheSameHashAsPrintfIntoSha256sum() {
        String key = "cta_0123456789abcdefghijklmnopqrstuvwxyz";
        assertThat(run(key)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo(ApiKeys.sha256Hex(key));
    }

    @Test
    void oneTrailingNewlineFromEchoIsIgnored() {
        run("cta_0123456789abcdefghijklmnopqrstuvwxyz\n");
        assertThat(out.toString(StandardCharsets.UTF_8).strip())
                .isEqualTo(ApiKeys.sha256Hex("cta_0123456789abcdefghijklmnopqrstuvwxyz"));
    }

    @Test
    void noKeyIsAnError() {
        assertThat(run("\n")).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aShortKeyIsHashedWithAWarning() {
        assertThat(run("short")).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("short");
    }

    @Test
    void theFlagIsFoundAmongOtherArguments() {
        assertThat(HashKeyCommand.requested(new String[] {"--debug", "--hash-key"})).isTrue();
        assertThat(HashKeyCommand.requested(new String[] {"--server.port=8080"})).isFalse();
    }
}
