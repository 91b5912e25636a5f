package io.ctagent.sysctl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.stereotype.Component;

import io.ctagent.hostagent.HostFiles;
import io.ctagent.hostagent.HostWrite;
import io.ctagent.hostagent.HostWriter;
import io.ctagent.sysctl.BootConfig.ConfFile;

/**
 * Persistence of sysctls across reboots: reads every file {@code sysctl --system} applies, says
 * where each key's boot value comes from, and rewrites the one managed drop-in.
 */
@Component
public class SysctlPersistence {

    private final HostFiles files;
    private final HostWriter writer;
    private final String relative;

    public SysctlPersistence(HostFiles files, HostWriter writer, SysctlProperties properties) {
        this.files = files;
        this.writer = writer;
        this.relative = properties.relativePersistFile();
    }

    /** The managed drop-in as an operator finds it on the host. */
    public String managedPath() {
        return files.hostPath(relative);
    }

    /** All boot configuration, read once for a request. */
    public BootFiles read() {
        Map<String, List<String>> namesByDir = new LinkedHashMap<>();
        Map<String, String> contents = new LinkedHashMap<>();
        for (String dir : BootOrder.SYSCTL_DIRS) {
            List<String> names = files.listRootfs(dir, ".conf");
            namesByDir.put(dir, names);
            for (String name : names) {
                contents.put(dir + "/" + name, files.readRootfs(dir + "/" + name).orElse(""));
            }
        }
        Optional<String> sysctlConf = files.readRootfs(BootOrder.SYSCTL_CONF);
        sysctlConf.ifPresent(text -> contents.put(BootOrder.SYSCTL_CONF, text));
        // Read on its own: even a masked drop-in is edited, never another file.
        contents.put(relative, files.readRootfs(relative).orElse(""));
        return new BootFiles(namesByDir, contents, sysctlConf.isPresent(), relative);
    }

    /** Where a key's boot value comes from; {@code runtime} null skips the reboot comparison. */
    public PersistedState state(BootFiles boot, SysctlKey key, Long runtime) {
        return BootConfig.state(key, boot.ordered(), managedPath(), boot.maskedBy(), runtime);
    }

    public Map<SysctlKey, PersistedState> states(BootFiles boot, Collection<SysctlKey> keys,
                                                 Map<SysctlKey, Long> runtime) {
        Map<SysctlKey, PersistedState> states = new LinkedHashMap<>();
        for (SysctlKey key : keys) {
            states.put(key, state(boot, key, runtime.get(key)));
        }
        return states;
    }

    /** The managed drop-in after setting and removing keys; other lines and comments stay. */
    public PersistPlan plan(BootFiles boot, Map<SysctlKey, Long> set, Set<SysctlKey> unset) {
        String before = boot.managedContent();
        return new PersistPlan(managedPath(), relative, before, SysctlConf.update(before, set, unset),
                writer.replaceFileCommands(relative));
    }

    public HostWrite write(PersistPlan plan) {
        return writer.replaceFile(plan.relative(), plan.after());
    }

    /**
     * The sysctl boot files of one request.
     *
     * @param namesByDir the *.conf names in each sysctl.d directory, by priority
     * @param contents the text of each file by rootfs-relative path (the managed drop-in always,
     *                 empty when it does not exist)
     * @param sysctlConfExists whether /etc/sysctl.conf exists (applied last)
     * @param managed the managed drop-in, relative to the rootfs
     */
    public record BootFiles(Map<String, List<String>> namesByDir, Map<String, String> contents,
                            boolean sysctlConfExists, String managed) {

        public String managedContent() {
            return contents.getOrDefault(managed, "");
        }

        /** The same files with the drop-in as a plan would leave it: for warnings before writing. */
        public BootFiles withManaged(String content) {
            Map<String, List<String>> names = new LinkedHashMap<>(namesByDir);
            String dir = managed.substring(0, managed.lastIndexOf('/'));
            String name = managed.substring(managed.lastIndexOf('/') + 1);
            List<String> inDir = new ArrayList<>(names.getOrDefault(dir, List.of()));
            if (!inDir.contains(name)) {
                inDir.add(name);
            }
            names.put(dir, inDir);
            Map<String, String> texts = new LinkedHashMap<>(contents);
            texts.put(managed, content);
            return new BootFiles(names, texts, sysctlConfExists, managed);
        }

        List<ConfFile> ordered() {
            Optional<String> last = sysctlConfExists ? Optional.of(BootOrder.SYSCTL_CONF) : Optional.empty();
            List<ConfFile> ordered = new ArrayList<>();
            for (String path : BootOrder.order(BootOrder.SYSCTL_DIRS, namesByDir, last)) {
                ordered.add(new ConfFile("/" + path, SysctlConf.parse(contents.getOrDefault(path, ""))));
            }
            return ordered;
        }

        Optional<String> maskedBy() {
            return BootOrder.maskedBy(BootOrder.SYSCTL_DIRS, namesByDir, managed).map(path -> "/" + path);
        }
    }
}
