package io.ctagent.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

class ApiKeysTest {

    static ApiKeys keys(ApiSecurityProperties.ApiKey... keys) {
        return new ApiKeys(new ApiSecurityProperties(List.of(keys), new ApiSecurityProperties.Jwt(null, null, "roles"),
                false), new MockEnvironment().withProperty("server.address", "127.0.0.1"));
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
        ApiSecurityProperties none = new ApiSecurityProperties(List.of(),
                new ApiSecurityProperties.Jwt(null, null, "roles"), false);
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
    void withJwtConfiguredNoKeyIsInventedAndAnyAddressIsFine() {
        ApiSecurityProperties jwtOnly = new ApiSecurityProperties(List.of(),
                new ApiSecurityProperties.Jwt("https://issuer.example.test", null, "roles"), false);
        ApiKeys keys = new ApiKeys(jwtOnly, new MockEnvironment().withProperty("server.address", "0.0.0.0"));
        assertThat(keys.authenticate("anything-at-all-000000000")).isEmpty();
    }
}
