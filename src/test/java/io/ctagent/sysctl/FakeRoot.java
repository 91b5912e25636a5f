package io.ctagent.sysctl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.stream.Stream;

import io.ctagent.testsupport.FakeHost;

/**
 * One fake host tree per test class at a fixed temp path (Spring's context keeps its roots), put
 * back to the committed fixture before each test.
 */
final class FakeRoot {

    private final Path dir;
    private FakeHost host;

    FakeRoot(String prefix) {
        try {
            dir = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reset();
    }

    FakeHost reset() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).filter(path -> !path.equals(dir)).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        host = FakeHost.copyTo(dir);
        return host;
    }

    FakeHost host() {
        return host;
    }

    String proc() {
        return dir.resolve("proc").toString();
    }

    String sys() {
        return dir.resolve("sys").toString();
    }

    String root() {
        return dir.toString();
    }

    /** Sets a file's mtime to the epoch, so a test can tell whether anything wrote it. */
    void age(String relative) {
        try {
            Files.setLastModifiedTime(dir.resolve(relative), FileTime.fromMillis(0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean untouched(String relative) {
        try {
            return Files.getLastModifiedTime(dir.resolve(relative)).toMillis() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean exists(String relative) {
        return Files.exists(dir.resolve(relative));
    }
}
