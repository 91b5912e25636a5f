package io.ctagent.hostagent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Component;

/**
 * Finds the host's network namespaces: the one of every process (/proc/PID/ns/net) and the
 * named ones bind-mounted under /run/netns, each identified by its inode, the number the kernel
 * prints in "table full in netns N".
 */
@Component
public class HostNamespaces {

    private final HostPaths paths;
    private final HostAgent host;

    public HostNamespaces(HostPaths paths, HostAgent host) {
        this.paths = paths;
        this.host = host;
    }

    /** A process and the namespace it is in. */
    public record ProcessInNetns(int pid, long netnsInode, String command, String cgroup) {
    }

    /** Every process whose namespace link is readable (all of them as root; own ones otherwise). */
    public List<ProcessInNetns> processes() {
        List<ProcessInNetns> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(paths.procRoot(), HostNamespaces::isPid)) {
            for (Path dir : entries) {
                int pid = Integer.parseInt(dir.getFileName().toString());
                netnsInode(dir.resolve("ns/net")).ifPresent(inode -> found.add(new ProcessInNetns(pid, inode,
                        firstLine(dir.resolve("comm")), readOrEmpty(dir.resolve("cgroup")))));
            }
        } catch (IOException e) {
            return found;
        }
        return found;
    }

    /** Named namespaces under /run/netns by name, with their inode. */
    public Map<String, Long> named() {
        Map<String, Long> named = new LinkedHashMap<>();
        Path dir = paths.netnsDir();
        if (!Files.isDirectory(dir)) {
            return named;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path file : entries) {
                try {
                    Object inode = Files.getAttribute(file, "unix:ino");
                    named.put(file.getFileName().toString(), ((Number) inode).longValue());
                } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                    // A stale mount point or a non-namespace file: not a namespace we can use.
                }
            }
        } catch (IOException e) {
            return named;
        }
        return named;
    }

    /** The conntrack stat file as seen from a process's namespace, without entering it. */
    public Optional<String> statOfProcess(int pid) {
        return host.readProc(NetnsTarget.OWN, KernelFiles.statOf(pid));
    }

    /** The agent's own namespace inode. */
    public Optional<Long> own() {
        return netnsInode(Path.of("/proc/self/ns/net"));
    }

    static Optional<Long> netnsInode(Path link) {
        try {
            return parseInode(Files.readSymbolicLink(link).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** "net:[4026531840]" -> 4026531840. */
    static Optional<Long> parseInode(String link) {
        if (!link.startsWith("net:[") || !link.endsWith("]")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(link.substring(5, link.length() - 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean isPid(Path path) {
        String name = path.getFileName().toString();
        return !name.isEmpty() && name.length() < 11 && name.chars().allMatch(Character::isDigit);
    }

    private static String firstLine(Path file) {
        String text = readOrEmpty(file);
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static String readOrEmpty(Path file) {
        try {
            return HostAgent.readFile(file).orElse("");
        } catch (RuntimeException unreadable) {
            // Another user's process (when not root) or one that just exited.
            return "";
        }
    }
}
