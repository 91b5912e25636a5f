package io.ctagent.monitor;

import java.util.Optional;

/**
 * Parses /dev/kmsg records and recognises the conntrack messages in them. Kernels print
 * "nf_conntrack: table full, dropping packet" or, since 5.x/6.x,
 * "nf_conntrack: nf_conntrack: table full in netns 4026532247, dropping packet".
 */
final class KmsgParser {

    private static final String NETNS_MARK = "in netns ";

    private KmsgParser() {
    }

    /** "6,1234,5678901,-;text" -> a message; continuation lines (" KEY=value") and junk -> empty. */
    static Optional<KernelMessage> parseRecord(String line) {
        int semicolon = line.indexOf(';');
        if (semicolon <= 0 || line.startsWith(" ")) {
            return Optional.empty();
        }
        String[] fields = line.substring(0, semicolon).split(",");
        if (fields.length < 3) {
            return Optional.empty();
        }
        try {
            int priority = Integer.parseInt(fields[0]) & 7;
            return Optional.of(new KernelMessage(priority, Long.parseLong(fields[1]), Long.parseLong(fields[2]),
                    line.substring(semicolon + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The conntrack event a message reports, if it reports one. */
    static Optional<Recognised> recognise(String text) {
        if (!text.contains("nf_conntrack") && !text.contains("conntrack")) {
            return Optional.empty();
        }
        if (text.contains("expectation table full")) {
            return Optional.of(new Recognised(EventType.EXPECTATION_TABLE_FULL, Severity.WARNING, netns(text)));
        }
        if (text.contains("table full")) {
            return Optional.of(new Recognised(EventType.TABLE_FULL, Severity.CRITICAL, netns(text)));
        }
        if (text.contains("hash") || text.contains("buckets")) {
            return Optional.of(new Recognised(EventType.CONNTRACK_HASH, Severity.INFO, null));
        }
        return Optional.empty();
    }

    private static Long netns(String text) {
        int at = text.indexOf(NETNS_MARK);
        if (at < 0) {
            return null;
        }
        int start = at + NETNS_MARK.length();
        int end = start;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return end == start ? null : Long.parseLong(text.substring(start, end));
    }

    record Recognised(EventType type, Severity severity, Long netnsInode) {
    }
}
