package io.ctagent.testsupport;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.test.context.DynamicPropertyRegistry;

/** One API key per role, configured by hash as an operator would; send with {@link #HEADER}. */
public final class TestApiKeys {

    public static final String HEADER = "X-API-Key";
    public static final String VIEWER = "test-viewer-key-5c1e9a";
    public static final String OPERATOR = "test-operator-key-8d2f4b";
    public static final String ADMIN = "test-admin-key-3a7c6e";
    public static final String AUDITOR = "test-auditor-key-1b9d2f";

    private TestApiKeys() {
    }

    public static Map<String, String> byRole() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("viewer", VIEWER);
        keys.put("operator", OPERATOR);
        keys.put("admin", ADMIN);
        keys.put("auditor", AUDITOR);
        return keys;
    }

    /** Registers the four keys as ctagent.security.api-keys[0..3]. */
    public static void register(DynamicPropertyRegistry registry) {
        int i = 0;
        for (Map.Entry<String, String> key : byRole().entrySet()) {
            String prefix = "ctagent.security.api-keys[" + i++ + "].";
            registry.add(prefix + "name", () -> "test-" + key.getKey());
            registry.add(prefix + "sha256", () -> sha256(key.getValue()));
            registry.add(prefix + "roles", key::getKey);
        }
    }

    /** The same keys as plain properties, for @SpringBootTest(properties = ...). */
    public static String[] properties() {
        String[] properties = new String[12];
        int i = 0;
        for (Map.Entry<String, String> key : byRole().entrySet()) {
            String prefix = "ctagent.security.api-keys[" + (i / 3) + "].";
            properties[i++] = prefix + "name=test-" + key.getKey();
            properties[i++] = prefix + "sha256=" + sha256(key.getValue());
            properties[i++] = prefix + "roles=" + key.getKey();
        }
        return properties;
    }

    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
