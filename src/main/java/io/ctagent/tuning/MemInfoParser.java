package io.ctagent.tuning;

import java.util.OptionalLong;

/** Reads MemTotal from /proc/meminfo ("MemTotal:       24576000 kB"). */
final class MemInfoParser {

    private MemInfoParser() {
    }

    /** MemTotal in bytes, or empty when the line is missing or malformed. */
    static OptionalLong memTotalBytes(String meminfo) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] fields = line.substring("MemTotal:".length()).trim().split("\\s+");
                try {
                    long value = Long.parseLong(fields[0]);
                    boolean kilobytes = fields.length > 1 && fields[1].equalsIgnoreCase("kB");
                    return OptionalLong.of(kilobytes ? value * 1024 : value);
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }
}
