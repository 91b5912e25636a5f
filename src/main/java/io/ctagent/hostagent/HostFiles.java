package io.ctagent.hostagent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.problem.OperatorProblem;

/**
 * Reads that features need beyond single proc/sys files: directory listings under the proc root,
 * sysctl values in a namespace, and configuration files under the host's root file system.
 */
@Component
public class HostFiles {

    private final HostAgent host;
    private final HostPaths paths;

    public HostFiles(HostAgent host) {
        this.host = host;
        this.paths = host.paths();
    }

    /** Names of the regular files in a directory under the proc root, sorted; empty when it is missing. */
    public List<String> listProcFiles(String relativeDir) {
        return list(paths.proc(relativeDir), "", true);
    }

    /** True when a file exists under the proc root (as the agent's own namespace sees it). */
    public boolean procExists(String relative) {
        return Files.exists(paths.proc(relative));
    }

    /**
     * Reads sysctls by name in a namespace: the agent's own by reading the files (one read(2)
     * each), a named one with one {@code sysctl -e} run through nsenter. A name the kernel does
     * not have is left out of the answer.
     */
    public Map<String, String> readSysctls(NetnsTarget netns, Collection<String> names) {
        Map<String, String> values = new LinkedHashMap<>();
        if (netns.isOwn()) {
            for (String name : names) {
                host.readProc(netns, SysctlNames.procPath(name)).ifPresent(text -> values.put(name, text.strip()));
            }
            return values;
        }
        List<String> args = new ArrayList<>();
        args.add("-e");
        for (String name : names) {
            SysctlNames.procPath(name);
            args.add(name);
        }
        CommandResult result = host.run(netns, Tool.SYSCTL, args);
        for (String line : result.stdout().split("\n")) {
            int eq = line.indexOf(" = ");
            if (eq > 0 && names.contains(line.substring(0, eq))) {
                values.put(line.substring(0, eq), line.substring(eq + 3).strip());
            }
        }
        if (!result.succeeded() && values.isEmpty()) {
            throw host.commandFailed(result, "reading sysctls in namespace " + netns);
        }
        return values;
    }

    /** A file under the host's root file system; empty when it does not exist. */
    public Optional<String> readRootfs(String relative) {
        Path file = paths.rootfs(relative);
        if (Files.isDirectory(file)) {
            return Optional.empty();
        }
        return HostAgent.readFile(file);
    }

    /**
     * Names of the entries ending with {@code suffix} in a directory under the rootfs, sorted,
     * directories left out. Symlinks count even when dangling: a link to /dev/null masks a file.
     */
    public List<String> listRootfs(String relativeDir, String suffix) {
        return list(paths.rootfs(relativeDir), suffix, false);
    }

    /** The path an operator knows on the host for a rootfs-relative path, e.g. /etc/sysctl.conf. */
    public String hostPath(String relative) {
        paths.rootfs(relative);
        return "/" + relative;
    }

    private static List<String> list(Path dir, String suffix, boolean regularOnly) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries
                    .filter(entry -> entry.getFileName().toString().endsWith(suffix))
                    .filter(entry -> regularOnly ? Files.isRegularFile(entry) : !Files.isDirectory(entry))
                    .map(entry -> entry.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "host-read-failed", "Host directory unreadable",
                    "Could not list " + dir + ": " + e.getMessage()
                            + ". Check that the agent's user may read it and that the host roots are mounted.", e);
        }
    }
}
