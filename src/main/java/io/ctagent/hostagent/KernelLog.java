package io.ctagent.hostagent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import org.springframework.stereotype.Component;

/** Opens the kernel log (/dev/kmsg: one record per read) and tells the time since boot. */
@Component
public class KernelLog {

    private final HostPaths paths;

    public KernelLog(HostPaths paths) {
        this.paths = paths;
    }

    /** A reader over the log's records; throws when the device is missing or unreadable. */
    public BufferedReader open(Path kmsg) throws IOException {
        // A large buffer: each read(2) of /dev/kmsg returns exactly one record, at most ~8 KiB.
        return new BufferedReader(new InputStreamReader(Files.newInputStream(kmsg), StandardCharsets.UTF_8), 16384);
    }

    /** Microseconds since boot, the clock of kmsg timestamps, from /proc/uptime. */
    public OptionalLong uptimeMicros() {
        return HostAgent.readFile(paths.proc("uptime")).map(text -> {
            String seconds = text.strip().split("\\s+")[0];
            return OptionalLong.of((long) (Double.parseDouble(seconds) * 1_000_000));
        }).orElse(OptionalLong.empty());
    }
}
