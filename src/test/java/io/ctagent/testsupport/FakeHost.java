package io.ctagent.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The one fake host of the tests: a copy of the committed fake host tree
 * (src/test/resources/fixtures/host: proc, sys, etc, run) in a temp directory, so a test may write
 * to it, with a directory for the audit log. {@link #register} points the agent at it.
 */
public final class FakeHost {

    private final Path root;

    private FakeHost(Path root) {
        this.root = root;
    }

    public static FakeHost copyTo(Path tempDir) {
        try {
            Path source = Path.of(FakeHost.class.getResource("/fixtures/host").toURI());
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Path target = tempDir.resolve(source.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            return new FakeHost(tempDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh copy in a new temp directory named after the test, with an empty audit directory. */
    public static FakeHost create(String name) {
        try {
            FakeHost host = copyTo(Files.createTempDirectory("ctagent-" + name + "-"));
            Files.createDirectories(host.root.resolve("audit"));
            return host;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Points the agent at a fake tree under {@code root} (proc, sys, and the rootfs itself) in the
     * given host mode ({@code direct}, {@code dry-run}, ...): what every fake-root test registers.
     */
    public static void register(DynamicPropertyRegistry registry, Path root, String mode) {
        registry.add("ctagent.host.proc-root", () -> root.resolve("proc").toString());
        registry.add("ctagent.host.sys-root", () -> root.resolve("sys").toString());
        registry.add("ctagent.host.rootfs", root::toString);
        registry.add("ctagent.host.mode", () -> mode);
    }

    public Path root() {
        return root;
    }

    public Path proc() {
        return root.resolve("proc");
    }

    public Path sys() {
        return root.resolve("sys");
    }

    public String procRoot() {
        return proc().toString();
    }

    public String sysRoot() {
        return sys().toString();
    }

    public String rootfs() {
        return root.toString();
    }

    /** Where a test's agent writes its audit log (the directory exists). */
    public Path auditFile() {
        return root.resolve("audit/audit.jsonl");
    }

    /** Spring properties that point the agent at this tree. */
    public String[] properties() {
        return new String[] {
                "ctagent.host.proc-root=" + proc(),
                "ctagent.host.sys-root=" + sys(),
                "ctagent.host.rootfs=" + root
        };
    }

    public void write(String relative, String content) {
        try {
            Path file = root.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String read(String relative) {
        try {
            return Files.readString(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void delete(String relative) {
        try {
            Files.deleteIfExists(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
