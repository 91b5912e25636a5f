package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

@ExtendWith(OutputCaptureExtension.class)
class ApiKeysTest {

    @TempDir
    Path dir;

    static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(2);

    static ApiKeys keys(ApiSecurityProperties.ApiKey... keys) {
        return new ApiKeys(new ApiSecurityProperties(List.of(keys), noJwt(), false, ""), new MockEnvironment().withProperty("server.address", "127.0.0.1"));
    }

    static ApiSecurityProperties.Jwt noJwt() {
        return new ApiSecurityProperties.Jwt(null, null, null, List.of(), "roles", TIMEOUT, TIMEOUT);
    }

    static ApiSecurityProperties.ApiKey key(String name, String key, Role... roles) {
        return new ApiSecurityProperties.ApiKey(name, ApiKeys.sha256Hex(key), Set.of(roles));
    }

    @Test
    void aConfiguredKeyAuthenticatesWithItsNameAndRoles() {
        Authentication caller = keys(key("ansible", "s3cret-key-for-ansible-0001", Role.OPERATOR))
                .authenticate("s3cret-key-for-ansible-0001").orElseThrow();
        assertThat(caller.getName()).isEqualTo("key:ansible");
        assertThat(caller.getAuthorities()).extracting(GrantedAuthority::getAuthority).containsExactly("ROLE_OPERATOR");
        assertThat(caller.getCredentials()).isNull();
    }

    @Test
    void aWrongEmptyOrHugeKeyIsRefused() {
        ApiKeys keys = keys(key("ansible", "s3cret-key-for-ansible-0001", Role.OPERATOR));
        assertThat(keys.authenticate("s3cret-key-for-ansible-0002")).isEmpty();
        assertThat(keys.authenticate("")).isEmpty();
        assertThat(keys.authenticate("x".repeat(10_000))).isEmpty();
    }

    @Test
    void upperCaseHashesAreAccepted() {
        ApiSecurityProperties.ApiKey upper = new ApiSecurityProperties.ApiKey("ops",
                ApiKeys.sha256Hex("another-long-key-000000000").toUpperCase(Locale.ROOT), Set.of(Role.VIEWER));
        assertThat(keys(upper).authenticate("another-long-key-000000000")).isPresent();
    }

    @Test
    void theHashIsTheOneSha256sumPrints() {
        // printf %s "abc" | sha256sum
        assertThat(ApiKeys.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void twoHoldersCannotShareAKeyOrAName() {
        assertThatThrownBy(() -> keys(key("a", "same-key-0000000000000000", Role.VIEWER),
                key("b", "same-key-0000000000000000", Role.ADMIN)))
                .hasMessageContaining("same sha256");
        assertThatThrownBy(() -> keys(key("a", "key-one-00000000000000000", Role.VIEWER),
                key("a", "key-two-00000000000000000", Role.ADMIN)))
                .hasMessageContaining("used twice");
    }

    @Test
    void withNoKeysAnExposedAddressIsRefused() {
        ApiSecurityProperties none = new ApiSecurityProperties(List.of(), noJwt(), false,
                dir.resolve("admin-key").toString());
        assertThatThrownBy(() -> new ApiKeys(none, new MockEnvironment()))
                .hasMessageContaining("(all interfaces)");
        assertThatThrownBy(() -> new ApiKeys(none, new MockEnvironment().withProperty("server.address", "0.0.0.0")))
                .hasMessageContaining("no API key is configured");
        assertThatThrownBy(() -> new ApiKeys(none, new MockEnvironment().withProperty("server.address", "127.0.0.1")
                .withProperty("management.server.port", "9090").withProperty("management.server.address", "10.1.2.3")))
                .hasMessageContaining("management.server.address");
        new ApiKeys(none, new MockEnvironment().withProperty("server.address", "::1"));
    }

    @Test
    void theGeneratedKeyIsInAFileOnlyTheAgentsUserCanReadAndNeverInTheLog(CapturedOutput output) throws Exception {
        Path file = dir.resolve("run").resolve("admin-key");
        ApiSecurityProperties none = new ApiSecurityProperties(List.of(), noJwt(), false, file.toString());
        ApiKeys keys = new ApiKeys(none, new MockEnvironment().withProperty("server.address", "127.0.0.1"));

        String key = Files.readString(file).strip();
        assertThat(keys.authenticate(key)).hasValueSatisfying(caller ->
                assertThat(caller.getName()).isEqualTo("key:" + ApiKeys.GENERATED_NAME));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(output.getAll()).contains(file.toString()).doesNotContain(key);

        keys.forgetGeneratedKey();
        assertThat(file).doesNotExist();
    }

    @Test
    void aKeyFileLeftByAnotherRunIsReplacedNotReused() throws Exception {
        Path file = Files.writeString(dir.resolve("admin-key"), "old-key\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        ApiSecurityProperties none = new ApiSecurityProperties(List.of(), noJwt(), false, file.toString());
        ApiKeys keys = new ApiKeys(none, new MockEnvironment().withProperty("server.address", "127.0.0.1"));
        assertThat(Files.readString(file)).doesNotContain("old-key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(keys.authenticate("old-key")).isEmpty();
    }

    @Test
    void withJwtConfiguredNoKeyIsInventedAndAnyAddressIsFine() {
        ApiSecurityProperties jwtOnly = new ApiSecurityProperties(List.of(),
                new ApiSecurityProperties.Jwt("https://issuer.example.test", null, null, List.of("ctagent"), "roles", TIMEOUT,
                        TIMEOUT), false, "");
        ApiKeys keys = new ApiKeys(jwtOnly, new MockEnvironment().withProperty("server.address", "0.0.0.0"));
        assertThat(keys.authenticate("anything-at-all-000000000")).isEmpty();
    }
}
