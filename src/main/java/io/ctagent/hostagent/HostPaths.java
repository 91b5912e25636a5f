package io.ctagent.hostagent;

import java.nio.file.Path;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

/**
 * Resolves host paths against the configured roots, like node_exporter's --path.* flags.
 * Relative paths come from code, never from a client; they are still checked so that a
 * mistake cannot escape the root.
 */
@Component
public class HostPaths {

    private static final Pattern SAFE_RELATIVE = Pattern.compile("[A-Za-z0-9_.+-]+(/[A-Za-z0-9_.+-]+)*");

    private final Path procRoot;
    private final Path sysRoot;
    private final Path rootfs;

    public HostPaths(HostProperties properties) {
        this.procRoot = Path.of(properties.procRoot()).toAbsolutePath().normalize();
        this.sysRoot = Path.of(properties.sysRoot()).toAbsolutePath().normalize();
        this.rootfs = Path.of(properties.rootfs()).toAbsolutePath().normalize();
    }

    public Path procRoot() {
        return procRoot;
    }

    public Path sysRoot() {
        return sysRoot;
    }

    public Path rootfs() {
        return rootfs;
    }

    /** A file under the proc root, e.g. {@code sys/net/netfilter/nf_conntrack_count}. */
    public Path proc(String relative) {
        return under(procRoot, relative);
    }

    /** A file under the sys root, e.g. {@code module/nf_conntrack/parameters/hashsize}. */
    public Path sys(String relative) {
        return under(sysRoot, relative);
    }

    /** A file under the host's root file system, e.g. {@code etc/sysctl.d}. */
    public Path rootfs(String relative) {
        return under(rootfs, relative);
    }

    /** Where named network namespaces are bind-mounted (`ip netns add`). */
    public Path netnsDir() {
        return rootfs("run/netns");
    }

    static Path under(Path root, String relative) {
        if (!SAFE_RELATIVE.matcher(relative).matches() || relative.contains("..")) {
            throw new IllegalArgumentException("not a safe relative host path: " + relative);
        }
        Path resolved = root.resolve(relative).normalize();
        if (!resolved.startsWith(root)) {
            throw new IllegalArgumentException("host path escapes its root: " + relative);
        }
        return resolved;
    }
}
