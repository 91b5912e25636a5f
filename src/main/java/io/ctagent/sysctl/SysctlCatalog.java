package io.ctagent.sysctl;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.KernelFiles;
import io.ctagent.hostagent.HostFiles;
import io.ctagent.problem.OperatorProblem;

/**
 * The managed keys: every net.netfilter.nf_conntrack_* file the kernel shows under the proc root,
 * plus net.nf_conntrack_max. Discovered on each call, since protocol modules add keys when they load.
 */
@Component
public class SysctlCatalog {

    static final String NETFILTER_DIR = KernelFiles.NETFILTER_DIR;
    static final String LEGACY_MAX_FILE = KernelFiles.LEGACY_MAX;
    private static final Pattern FILE_NAME = Pattern.compile("nf_conntrack_[a-z0-9_]+");

    private final HostFiles files;

    public SysctlCatalog(HostFiles files) {
        this.files = files;
    }

    /** The managed keys present on this host, sorted by name. */
    public List<SysctlKey> keys() {
        List<SysctlKey> keys = new ArrayList<>();
        for (String file : files.listProcFiles(NETFILTER_DIR)) {
            if (FILE_NAME.matcher(file).matches()) {
                keys.add(new SysctlKey("net.netfilter." + file));
            }
        }
        if (files.procExists(LEGACY_MAX_FILE)) {
            keys.add(SysctlKey.LEGACY_MAX);
        }
        keys.sort((a, b) -> a.name().compareTo(b.name()));
        return keys;
    }

    /** Parses client input into a managed key: 400 for a malformed name, 404 for one not managed here. */
    public SysctlKey require(String field, String raw) {
        SysctlKey key = SysctlKey.parse(field, raw);
        if (!keys().contains(key)) {
            throw new OperatorProblem(HttpStatus.NOT_FOUND, "sysctl-not-managed", "Sysctl not managed",
                    "'" + key + "' is not a conntrack sysctl on this host. The agent manages the "
                            + "net.netfilter.nf_conntrack_* keys the kernel shows and net.nf_conntrack_max; "
                            + "GET /api/v1/sysctls lists them (none when nf_conntrack is not loaded).")
                    .with("field", field);
        }
        return key;
    }

    /**
     * Whether the agent itself runs in the initial network namespace: the kernel registers
     * net.nf_conntrack_max only there.
     */
    public boolean ownNamespaceIsInitial() {
        return files.procExists(LEGACY_MAX_FILE);
    }

    /** Parses a client value for a key: a JSON integer in the key's range, else 400 naming {@code field}. */
    public long parseValue(String field, tools.jackson.databind.JsonNode node, SysctlKey key) {
        return SysctlValue.parse(field, node, key, spec(key));
    }

    /** Parses the free-text reason of a change: one printable line, else 400 naming "reason". */
    public String parseReason(String raw) {
        return SysctlValue.reason(raw);
    }

    static SysctlSpec spec(SysctlKey key) {
        return KnownSysctls.spec(key);
    }
}
