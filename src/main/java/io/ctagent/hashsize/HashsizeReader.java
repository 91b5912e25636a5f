package io.ctagent.hashsize;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.KernelFiles;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.HostFiles;
import io.ctagent.hostagent.HostWriter;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Writability;
import io.ctagent.sysctl.BootOrder;
import io.ctagent.sysctl.PersistedState;
import io.ctagent.sysctl.SysctlCatalog;
import io.ctagent.sysctl.SysctlKey;
import io.ctagent.sysctl.SysctlPersistence;
import io.ctagent.problem.OperatorProblem;

/** Reads the hash table's size, how it can be changed, and where its boot value comes from. */
@Component
class HashsizeReader {

    static final String HASHSIZE = KernelFiles.HASHSIZE;
    static final String INITSTATE = KernelFiles.INITSTATE;
    static final String CMDLINE = "cmdline";

    private final HostAgent host;
    private final HostFiles files;
    private final HostWriter writer;
    private final SysctlCatalog catalog;
    private final SysctlPersistence persistence;
    private final String modprobeFile;

    HashsizeReader(HostAgent host, HostFiles files, HostWriter writer, SysctlCatalog catalog,
                   SysctlPersistence persistence, HashsizeProperties properties) {
        this.host = host;
        this.files = files;
        this.writer = writer;
        this.catalog = catalog;
        this.persistence = persistence;
        this.modprobeFile = properties.relativeModprobeFile();
    }

    /** How a resize would be done: through the buckets sysctl, or the module parameter in /sys. */
    record Route(boolean writable, String reason, boolean viaSysctl) {
    }

    /** The value a modprobe.d file or the kernel command line gives hashsize. */
    record ModuleOption(Long value, String source) {
    }

    HashsizeView view() {
        Map<SysctlKey, Long> values = values();
        long buckets = values.get(SysctlKey.BUCKETS);
        long max = values.get(SysctlKey.MAX);
        Long hashsize = hashsize();
        boolean builtIn = builtIn();
        Route route = route();
        List<String> warnings = new ArrayList<>();
        PersistedState sysctl = persistence.state(persistence.read(), SysctlKey.BUCKETS, buckets);
        warnings.addAll(sysctl.warnings());
        ModuleOption modprobe = modprobeOption();
        ModuleOption cmdline = cmdlineOption();
        if (builtIn && modprobe.value() != null) {
            warnings.add("nf_conntrack is built into this kernel, so 'options nf_conntrack hashsize=" + modprobe.value()
                    + "' in " + modprobe.source() + " is ignored; at boot only nf_conntrack.hashsize= on the kernel "
                    + "command line or net.netfilter.nf_conntrack_buckets in sysctl.d count.");
        }
        if (!builtIn && modprobe.value() != null && sysctl.value() != null && !modprobe.value().equals(sysctl.value())) {
            warnings.add(modprobe.source() + " loads the module with hashsize=" + modprobe.value() + ", then "
                    + sysctl.file() + " resizes the table to " + sysctl.value() + ": make them agree.");
        }
        double chain = round2(2.0 * max / buckets);
        if (chain > 8) {
            warnings.add("A full table would average " + chain + " entries per bucket (2 x max / buckets). "
                    + "Since Linux 5.15 the kernel's own default is max = buckets (2 per bucket).");
        }
        ModuleOption boot = sysctl.value() != null ? new ModuleOption(sysctl.value(), sysctl.file())
                : !builtIn && modprobe.value() != null ? modprobe : cmdline;
        return new HashsizeView(hashsize, buckets, max, round2((double) max / buckets), chain, route.writable(),
                route.reason(), route.writable() ? (route.viaSysctl() ? "sysctl" : "sysfs") : null, builtIn,
                boot.value(), boot.source(), List.copyOf(warnings));
    }

    /** buckets and max of the agent's own namespace; 503 when nf_conntrack is not loaded. */
    Map<SysctlKey, Long> values() {
        Map<String, String> raw = files.readSysctls(NetnsTarget.OWN,
                List.of(SysctlKey.BUCKETS.name(), SysctlKey.MAX.name()));
        Map<SysctlKey, Long> values = new LinkedHashMap<>();
        for (SysctlKey key : List.of(SysctlKey.BUCKETS, SysctlKey.MAX)) {
            String text = raw.get(key.name());
            if (text == null) {
                throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "conntrack-not-loaded",
                        "Connection tracking not loaded", key + " is missing under " + host.paths().procRoot()
                        + ": nf_conntrack is not loaded. Load it with 'modprobe nf_conntrack'.");
            }
            values.put(key, Long.parseLong(text.strip()));
        }
        return values;
    }

    /** The module parameter, or null when /sys has no nf_conntrack parameters. */
    Long hashsize() {
        return host.readSys(HASHSIZE).map(text -> Long.parseLong(text.strip())).orElse(null);
    }

    boolean builtIn() {
        return !host.sysExists(INITSTATE);
    }

    Route route() {
        if (!catalog.ownNamespaceIsInitial()) {
            return new Route(false, "The agent runs outside the initial network namespace: the kernel answers "
                    + "EOPNOTSUPP for hashsize and keeps nf_conntrack_buckets read-only there. Run it in the host's "
                    + "network namespace (hostNetwork: true).", false);
        }
        Writability sysctl = writer.sysctlWritability(NetnsTarget.OWN, SysctlKey.BUCKETS.name());
        if (sysctl.writable()) {
            return new Route(true, null, true);
        }
        if (!host.sysExists(HASHSIZE)) {
            return new Route(false, sysctl.reason(), false);
        }
        Writability sysfs = writer.sysParameterWritability(HASHSIZE);
        return sysfs.writable() ? new Route(true, null, false)
                : new Route(false, sysctl.reason() + "; and " + sysfs.reason(), false);
    }

    /** The last hashsize= for nf_conntrack in modprobe.d, by kmod's file order. */
    ModuleOption modprobeOption() {
        Map<String, List<String>> names = new LinkedHashMap<>();
        for (String dir : BootOrder.MODPROBE_DIRS) {
            names.put(dir, files.listRootfs(dir, ".conf"));
        }
        ModuleOption found = new ModuleOption(null, null);
        for (String path : BootOrder.order(BootOrder.MODPROBE_DIRS, names, Optional.empty())) {
            String value = ModprobeOptions.hashsize(files.readRootfs(path).orElse(""));
            if (value != null) {
                found = new ModuleOption(parseOrNull(value), files.hostPath(path));
            }
        }
        return found;
    }

    ModuleOption cmdlineOption() {
        String value = host.readProc(NetnsTarget.OWN, CMDLINE).map(ModprobeOptions::cmdlineHashsize).orElse(null);
        return value == null ? new ModuleOption(null, null) : new ModuleOption(parseOrNull(value), "/proc/cmdline");
    }

    /** The managed modprobe.d file, relative to the rootfs. */
    String modprobeFile() {
        return modprobeFile;
    }

    String modprobeContent() {
        return files.readRootfs(modprobeFile).orElse("");
    }

    private static Long parseOrNull(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static double round2(double value) {
        return Math.round(value * 100.0) / 100.0;
    }
}
