package io.ctagent.sysctl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.HostFiles;
import io.ctagent.hostagent.HostWriter;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Writability;
import io.ctagent.sysctl.SysctlPersistence.BootFiles;
import io.ctagent.sysctl.SysctlSpec.Scope;
import io.ctagent.problem.OperatorProblem;

/** Reads managed sysctls with their boot values, writability and warnings. */
@Component
class SysctlReader {

    private final SysctlCatalog catalog;
    private final HostFiles files;
    private final HostAgent host;
    private final HostWriter writer;
    private final SysctlPersistence persistence;

    SysctlReader(SysctlCatalog catalog, HostFiles files, HostAgent host, HostWriter writer,
                 SysctlPersistence persistence) {
        this.catalog = catalog;
        this.files = files;
        this.host = host;
        this.writer = writer;
        this.persistence = persistence;
    }

    List<SysctlView> list(NetnsTarget netns) {
        host.requireNetns(netns);
        List<SysctlKey> keys = catalog.keys();
        Map<SysctlKey, Long> values = values(netns, keys);
        BootFiles boot = netns.isOwn() ? persistence.read() : null;
        List<SysctlView> views = new ArrayList<>();
        for (SysctlKey key : keys) {
            if (values.containsKey(key)) {
                views.add(view(key, netns, values.get(key), boot));
            }
        }
        return views;
    }

    SysctlView view(SysctlKey key, NetnsTarget netns) {
        host.requireNetns(netns);
        Map<SysctlKey, Long> values = values(netns, List.of(key));
        if (!values.containsKey(key)) {
            throw new OperatorProblem(HttpStatus.NOT_FOUND, "sysctl-not-in-namespace", "Sysctl not in this namespace",
                    key + " does not exist in namespace " + netns + " (net.nf_conntrack_max exists only in the "
                            + "initial namespace; the others appear once conntrack is used there).")
                    .with("field", "key");
        }
        return view(key, netns, values.get(key), netns.isOwn() ? persistence.read() : null);
    }

    /** Running values by key; a key the namespace does not have is absent. */
    Map<SysctlKey, Long> values(NetnsTarget netns, Collection<SysctlKey> keys) {
        host.requireNetns(netns);
        List<String> names = keys.stream().map(SysctlKey::name).toList();
        Map<String, String> raw = files.readSysctls(netns, names);
        Map<SysctlKey, Long> values = new LinkedHashMap<>();
        for (SysctlKey key : keys) {
            String text = raw.get(key.name());
            if (text != null) {
                values.put(key, parseKernelValue(key, text));
            }
        }
        return values;
    }

    /** Whether the agent can write a key in a namespace, by the kernel's rules and then the host's. */
    Writability writability(SysctlKey key, NetnsTarget netns) {
        Writability kernel = kernelWritability(key, netns);
        return kernel.writable() ? writer.sysctlWritability(netns, key.name()) : kernel;
    }

    /** The kernel's rules alone: read-only keys, and global keys outside the initial namespace. */
    Writability kernelWritability(SysctlKey key, NetnsTarget netns) {
        SysctlSpec spec = SysctlCatalog.spec(key);
        if (spec.scope() == Scope.READ_ONLY) {
            return Writability.no(key.shortName() + " is a value the kernel reports; it cannot be set.");
        }
        if (spec.scope() == Scope.INITIAL_NAMESPACE) {
            if (!netns.isOwn()) {
                return Writability.no(key.shortName() + " is global: the kernel makes it read-only in every network "
                        + "namespace but the initial one. Change it without ?netns=.");
            }
            if (!catalog.ownNamespaceIsInitial()) {
                return Writability.no("The agent runs outside the initial network namespace (net.nf_conntrack_max "
                        + "is absent), where the kernel makes " + key.shortName() + " read-only. Run it in the host's "
                        + "network namespace (hostNetwork: true).");
            }
        }
        return Writability.YES;
    }

    /** An ETag over everything a client may act on: value and boot value. */
    static String etag(SysctlView view) {
        String state = view.key() + "|" + view.netns() + "|" + view.value() + "|" + view.persistedValue() + "|"
                + view.persistedIn();
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(state.getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(hash, 0, 8) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private SysctlView view(SysctlKey key, NetnsTarget netns, Long value, BootFiles boot) {
        SysctlSpec spec = SysctlCatalog.spec(key);
        PersistedState persisted = boot == null ? PersistedState.NONE : persistence.state(boot, key, value);
        Writability writability = writability(key, netns);
        List<String> warnings = spec.scope() == Scope.READ_ONLY ? List.of() : persisted.warnings();
        return new SysctlView(key.name(), netns.name().orElse(null), value, persisted.value(), persisted.file(),
                writability.writable(), writability.reason(), spec.unit(), spec.min(), spec.max(),
                spec.description(), warnings);
    }

    private static Long parseKernelValue(SysctlKey key, String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new OperatorProblem(HttpStatus.BAD_GATEWAY, "unexpected-kernel-output", "Unexpected kernel value",
                    key + " holds '" + SysctlKey.printable(text.strip()) + "', not a number. "
                            + "Check ctagent.host.proc-root.");
        }
    }
}
