package io.ctagent.sysctl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The sysctl.d(5) file format, as pure functions over text: one {@code key = value} per line,
 * '#' and ';' comments, '/' or '.' as separators, a leading '-' to ignore a failing key, and
 * glob patterns in keys (systemd-sysctl).
 */
final class SysctlConf {

    static final String HEADER = """
            # Managed by conntrack-agent (PUT/PATCH /api/v1/sysctls, PUT /api/v1/hashsize).
            # Keys it manages are rewritten in place; other lines and comments are kept.
            """;

    /** One assignment: the key in dotted form without a leading '-', the raw value, its 1-based line. */
    record Assignment(String key, String value, int line) {

        /** True when this assignment sets {@code name}: equal, or a glob pattern matching it. */
        boolean sets(String name) {
            if (key.equals(name)) {
                return true;
            }
            return isGlob(key) && globToRegex(key).matcher(name).matches();
        }
    }

    private SysctlConf() {
    }

    static List<Assignment> parse(String text) {
        List<Assignment> assignments = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Assignment assignment = assignment(lines[i], i + 1);
            if (assignment != null) {
                assignments.add(assignment);
            }
        }
        return assignments;
    }

    /**
     * Rewrites a file so that each variable in {@code set} appears once with its new value (at its
     * first old line, or appended), every variable in {@code unset} is gone, and every other line
     * stays as it was. {@code variable} maps a key to its kernel variable, so an alias counts as
     * a duplicate.
     */
    static String update(String text, Map<SysctlKey, Long> set, Set<SysctlKey> unset) {
        Map<SysctlKey, Long> pending = new LinkedHashMap<>();
        set.forEach((key, value) -> pending.put(key.variable(), value));
        Map<SysctlKey, SysctlKey> spelling = new LinkedHashMap<>();
        set.keySet().forEach(key -> spelling.put(key.variable(), key));
        Set<SysctlKey> removed = new HashSet<>();
        unset.forEach(key -> removed.add(key.variable()));

        StringBuilder out = new StringBuilder();
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (!body.isEmpty()) {
            for (String line : body.split("\n", -1)) {
                Assignment assignment = assignment(line, 0);
                SysctlKey variable = assignment == null || isGlob(assignment.key()) ? null
                        : new SysctlKey(assignment.key()).variable();
                if (variable == null || (!spelling.containsKey(variable) && !removed.contains(variable))) {
                    out.append(line).append('\n');
                } else if (pending.containsKey(variable)) {
                    out.append(line(spelling.get(variable), pending.remove(variable))).append('\n');
                }
                // else: a duplicate or an unset key: dropped.
            }
        } else if (!pending.isEmpty()) {
            out.append(HEADER);
        }
        pending.forEach((variable, value) -> out.append(line(spelling.get(variable), value)).append('\n'));
        return out.toString();
    }

    /** The value a file gives a key or its alias (the last assignment wins), or null. */
    static Assignment lastFor(List<Assignment> assignments, SysctlKey key) {
        List<String> names = names(key);
        Assignment last = null;
        for (Assignment assignment : assignments) {
            if (names.stream().anyMatch(assignment::sets)) {
                last = assignment;
            }
        }
        return last;
    }

    /** Every name of the key's kernel variable: both max names are one variable. */
    static List<String> names(SysctlKey key) {
        if (key.variable().equals(SysctlKey.MAX)) {
            return List.of(SysctlKey.MAX.name(), SysctlKey.LEGACY_MAX.name());
        }
        return List.of(key.name());
    }

    private static String line(SysctlKey key, long value) {
        return key.name() + " = " + value;
    }

    private static Assignment assignment(String raw, int lineNumber) {
        String line = raw.strip();
        if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
            return null;
        }
        int eq = line.indexOf('=');
        if (eq <= 0) {
            return null;
        }
        String key = line.substring(0, eq).strip();
        if (key.startsWith("-")) {
            key = key.substring(1).strip();
        }
        if (key.isEmpty()) {
            return null;
        }
        return new Assignment(normalize(key), line.substring(eq + 1).strip(), lineNumber);
    }

    /** sysctl.d(5): when the first separator is '/', slashes separate and dots are part of names. */
    static String normalize(String key) {
        int slash = key.indexOf('/');
        int dot = key.indexOf('.');
        if (slash >= 0 && (dot < 0 || slash < dot)) {
            StringBuilder swapped = new StringBuilder();
            for (char c : key.toCharArray()) {
                swapped.append(c == '/' ? '.' : c == '.' ? '/' : c);
            }
            key = swapped.toString();
        }
        return key.startsWith(".") ? key.substring(1) : key;
    }

    private static boolean isGlob(String key) {
        return key.indexOf('*') >= 0 || key.indexOf('?') >= 0 || key.indexOf('[') >= 0;
    }

    private static Pattern globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append("[^.]*");
                case '?' -> regex.append("[^.]");
                case '[', ']' -> regex.append(c);
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
