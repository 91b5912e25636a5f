package io.ctagent.security;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.test.context.DynamicPropertyRegistry;

import io.ctagent.testsupport.FakeHost;

/** One API key per role, configured by hash as an operator would, on a fake host. */
final class TestKeys {

    static final String VIEWER = "viewer-key-4f1c8e2a9b7d6c5e3f1a";
    static final String OPERATOR = "operator-key-7d2e9c4b1a8f6e3d5c2b";
    static final String ADMIN = "admin-key-2b8f4d6e1c9a7e5d3b1f";
    static final String AUDITOR = "auditor-key-9e3c5a7b2d4f6e8a1c3d";
    static final String WRONG = "wrong-key-0000000000000000000000";

    /** Key per role name, in a stable order. */
    static final Map<String, String> BY_ROLE = new LinkedHashMap<>();

    static {
        BY_ROLE.put("viewer", VIEWER);
        BY_ROLE.put("operator", OPERATOR);
        BY_ROLE.put("admin", ADMIN);
        BY_ROLE.put("auditor", AUDITOR);
    }

    private TestKeys() {
    }

    static void register(DynamicPropertyRegistry registry, FakeHost host) {
        int i = 0;
        for (Map.Entry<String, String> key : BY_ROLE.entrySet()) {
            String prefix = "ctagent.security.api-keys[" + i++ + "].";
            registry.add(prefix + "name", key::getKey);
            registry.add(prefix + "sha256", () -> ApiKeys.sha256Hex(key.getValue()));
            registry.add(prefix + "roles", key::getKey);
        }
        registry.add("ctagent.host.proc-root", host::procRoot);
        registry.add("ctagent.host.sys-root", host::sysRoot);
        registry.add("ctagent.host.rootfs", host::rootfs);
        registry.add("ctagent.host.mode", () -> "dry-run");
        registry.add("ctagent.audit.path", () -> host.auditFile().toString());
    }
}
