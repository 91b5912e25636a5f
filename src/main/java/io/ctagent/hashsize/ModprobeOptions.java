package io.ctagent.hashsize;

import java.util.ArrayList;
import java.util.List;

/**
 * The hashsize of nf_conntrack in modprobe.d(5) files and on the kernel command line, as pure
 * functions over text: {@code options nf_conntrack hashsize=N} (the module name may use '-' or
 * '_'), and {@code nf_conntrack.hashsize=N} in /proc/cmdline.
 */
final class ModprobeOptions {

    static final String LINE_PREFIX = "options nf_conntrack ";

    private ModprobeOptions() {
    }

    /** The last hashsize an options line gives nf_conntrack, or null. */
    static String hashsize(String text) {
        String found = null;
        for (String line : joinContinuations(text)) {
            String[] words = line.strip().split("\\s+");
            if (isConntrackOptions(words)) {
                for (int i = 2; i < words.length; i++) {
                    if (words[i].startsWith("hashsize=")) {
                        found = words[i].substring("hashsize=".length());
                    }
                }
            }
        }
        return found;
    }

    /** The file with hashsize=N as its only nf_conntrack hashsize; other lines and options stay. */
    static String withHashsize(String text, long value) {
        StringBuilder out = new StringBuilder();
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (!body.isEmpty()) {
            for (String line : body.split("\n", -1)) {
                String[] words = line.strip().split("\\s+");
                if (!isConntrackOptions(words) || line.strip().endsWith("\\")) {
                    out.append(line).append('\n');
                    continue;
                }
                List<String> kept = new ArrayList<>();
                for (int i = 2; i < words.length; i++) {
                    if (!words[i].startsWith("hashsize=")) {
                        kept.add(words[i]);
                    }
                }
                if (!kept.isEmpty()) {
                    out.append(LINE_PREFIX).append(String.join(" ", kept)).append('\n');
                }
            }
        } else {
            out.append("# Managed by conntrack-agent (PUT /api/v1/hashsize): the hash table size when nf_conntrack loads.\n");
        }
        return out.append(LINE_PREFIX).append("hashsize=").append(value).append('\n').toString();
    }

    /** nf_conntrack.hashsize=N on the kernel command line, or null. */
    static String cmdlineHashsize(String cmdline) {
        String found = null;
        for (String word : cmdline.strip().split("\\s+")) {
            if (word.equals("--")) {
                break;
            }
            String normalized = word.replace('-', '_');
            if (normalized.startsWith("nf_conntrack.hashsize=")) {
                found = word.substring("nf_conntrack.hashsize=".length());
            }
        }
        return found;
    }

    private static boolean isConntrackOptions(String[] words) {
        return words.length >= 2 && words[0].equals("options") && words[1].replace('-', '_').equals("nf_conntrack");
    }

    /** modprobe.d joins a line ending in a backslash with the next. */
    private static List<String> joinContinuations(String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n")) {
            String stripped = line.strip();
            if (stripped.startsWith("#")) {
                continue;
            }
            if (stripped.endsWith("\\")) {
                current.append(stripped, 0, stripped.length() - 1).append(' ');
            } else {
                lines.add(current.append(stripped).toString());
                current.setLength(0);
            }
        }
        if (!current.isEmpty()) {
            lines.add(current.toString());
        }
        return lines;
    }
}
