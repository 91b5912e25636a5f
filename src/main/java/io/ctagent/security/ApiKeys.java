package io.ctagent.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;

import jakarta.annotation.PreDestroy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.stereotype.Component;

/**
 * The configured API keys, held only as SHA-256 hashes. A presented key is hashed once (fast,
 * unlike BCrypt: the read path must stay cheap) and compared in constant time. Keys are
 * high-entropy random strings, so an unsalted hash is enough to keep them out of the config.
 *
 * <p>With no key and no JWT configured the agent makes up one admin key, writes it to a file only
 * its user can read (the log names the file, never the key), and refuses to listen on anything
 * but loopback.
 */
@Component
class ApiKeys {

    static final String HEADER = "X-API-Key";
    static final String GENERATED_NAME = "generated-admin";

    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    /** Longer values are not keys we issued; don't spend a hash on them. */
    private static final int MAX_KEY_LENGTH = 512;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** Never used directly, only cloned: a MessageDigest is not thread-safe. */
    private static final MessageDigest SHA256 = newSha256();

    private final Map<String, Known> byHash = new HashMap<>();
    private final java.nio.file.Path generatedKeyFile;

    ApiKeys(ApiSecurityProperties properties, Environment environment) {
        Map<String, String> names = new HashMap<>();
        for (int i = 0; i < properties.apiKeys().size(); i++) {
            ApiSecurityProperties.ApiKey key = properties.apiKeys().get(i);
            String hash = key.sha256().strip().toLowerCase(Locale.ROOT);
            if (!SHA256_HEX.matcher(hash).matches()) {
                // The value is not shown: someone may have pasted the key itself.
                throw new IllegalStateException("ctagent.security.api-keys[" + i + "].sha256 (key '" + key.name()
                        + "') is not a 64-hex-digit SHA-256. Configure the hash of the key, never the key: "
                        + "printf %s \"$KEY\" | sha256sum");
            }
            if (byHash.containsKey(hash)) {
                throw new IllegalStateException("ctagent.security.api-keys: '" + key.name() + "' and '"
                        + byHash.get(hash).name() + "' have the same sha256; give each holder its own key");
            }
            if (names.put(key.name(), hash) != null) {
                throw new IllegalStateException("ctagent.security.api-keys: the name '" + key.name()
                        + "' is used twice; names tell key holders apart in the audit");
            }
            byHash.put(hash, new Known(key.name(), HexFormat.of().parseHex(hash), key.roles()));
        }
        if (byHash.isEmpty() && !properties.jwt().enabled()) {
            requireLoopback(environment, "server.address");
            if (environment.getProperty("management.server.port") != null) {
                requireLoopback(environment, "management.server.address");
            }
            String key = generateKey();
            byte[] hash = sha256(key);
            byHash.put(HexFormat.of().formatHex(hash), new Known(GENERATED_NAME, hash, Set.of(Role.ADMIN)));
            // The key goes to a file only this user can read; the log, which others may read, names the file.
            generatedKeyFile = GeneratedKeyFile.path(properties.generatedKeyFile(), runningAsRoot());
            GeneratedKeyFile.write(generatedKeyFile, key);
            log.warn("""
                    No API key is configured (ctagent.security.api-keys), so this run has one admin key, \
                    valid until the agent stops. It is in {} (readable by this user only):

                        KEY=$(cat {})

                    The agent listens only on loopback in this mode. For real use configure keys by their \
                    SHA-256 (java -jar conntrack-agent.jar --hash-key).""", generatedKeyFile, generatedKeyFile);
        } else {
            generatedKeyFile = null;
        }
    }

    /** The file holding this run's generated admin key, removed when the agent stops. */
    @PreDestroy
    void forgetGeneratedKey() {
        if (generatedKeyFile != null) {
            GeneratedKeyFile.delete(generatedKeyFile);
        }
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The caller a presented key belongs to, or empty for a wrong key. */
    Optional<Authentication> authenticate(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > MAX_KEY_LENGTH) {
            return Optional.empty();
        }
        byte[] hash = sha256(presented);
        Known known = byHash.get(HexFormat.of().formatHex(hash));
        // The map finds a candidate; the decision is a constant-time compare of the digests.
        if (known == null || !MessageDigest.isEqual(hash, known.hash())) {
            return Optional.empty();
        }
        return Optional.of(new ApiKeyAuthentication(known.name(), known.authorities()));
    }

    static byte[] sha256(String key) {
        try {
            // A clone of a ready digest: getInstance searches the security providers on every call.
            return ((MessageDigest) SHA256.clone()).digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 is cloneable", e);
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    static String sha256Hex(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    private static String generateKey() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return "cta_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** An unconfigured agent with a made-up admin key must not be reachable from the network. */
    private static void requireLoopback(Environment environment, String property) {
        String address = environment.getProperty(property);
        boolean loopback = false;
        if (address != null && !address.isBlank()) {
            try {
                loopback = InetAddress.getByName(address.strip()).isLoopbackAddress();
            } catch (UnknownHostException e) {
                loopback = false;
            }
        }
        if (!loopback) {
            throw new IllegalStateException(property + " is '" + (address == null ? "(all interfaces)" : address)
                    + "' but no API key is configured: the agent would serve every network with a made-up admin "
                    + "key. Configure ctagent.security.api-keys (or ctagent.security.jwt), or set " + property
                    + "=127.0.0.1.");
        }
    }

    /** A configured key: its holder, its hash, and its roles as authorities, built once. */
    private record Known(String name, byte[] hash, List<GrantedAuthority> authorities) {
        Known(String name, byte[] hash, Set<Role> roles) {
            this(name, hash, roles.stream()
                    .<GrantedAuthority>map(role -> new SimpleGrantedAuthority(role.authority())).toList());
        }

        @Override
        public String toString() {
            return "Known[" + name + ", " + authorities + "]";
        }
    }
}
