package io.ctagent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A throw-away host: a proc and sys tree with a loaded nf_conntrack, and a directory for the
 * audit log. Point ctagent.host.* and ctagent.audit.path at it.
 */
public final class FakeHost {

    private final Path root;

    private FakeHost(Path root) {
        this.root = root;
    }

    public static FakeHost create(String name) {
        try {
            Path root = Files.createTempDirectory("ctagent-" + name + "-");
            FakeHost host = new FakeHost(root);
            host.write("proc/sys/net/netfilter/nf_conntrack_count", "1234\n");
            host.write("proc/sys/net/netfilter/nf_conntrack_max", "262144\n");
            host.write("proc/sys/net/netfilter/nf_conntrack_buckets", "65536\n");
            host.write("proc/sys/kernel/osrelease", "6.1.0-test\n");
            host.write("proc/net/stat/nf_conntrack", """
                    entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
                    000004d2  00000000 00000000 00000000 00000005 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000002
                    000004d2  00000000 00000000 00000000 00000003 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000001
                    """);
            host.write("sys/module/nf_conntrack/parameters/hashsize", "65536\n");
            Files.createDirectories(root.resolve("rootfs/run/netns"));
            Files.createDirectories(root.resolve("audit"));
            return host;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    public String procRoot() {
        return root.resolve("proc").toString();
    }

    public String sysRoot() {
        return root.resolve("sys").toString();
    }

    public String rootfs() {
        return root.resolve("rootfs").toString();
    }

    public Path auditFile() {
        return root.resolve("audit/audit.jsonl");
    }

    public void write(String relative, String content) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
