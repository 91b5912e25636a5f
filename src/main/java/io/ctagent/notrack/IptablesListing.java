package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses `iptables -t raw -v -S` (iptables-nft and iptables-legacy print the same): the agent's
 * chains, jumps and tagged rules with their counters, and everybody else's rules read-only.
 */
final class IptablesListing {

    private static final Pattern OWN_ID = Pattern.compile(NotrackRule.TAG_PREFIX + "(" + NotrackRule.ID_PATTERN + ")");

    private IptablesListing() {
    }

    /** One "-A CHAIN ..." line: its tokens without the counters, and the counters. */
    record Line(String chain, List<String> args, long packets, long bytes) {

        String text() {
            return "-A " + chain + " " + String.join(" ", args.stream().map(Line::quoteIfNeeded).toList());
        }

        String comment() {
            int at = args.indexOf("--comment");
            return at >= 0 && at + 1 < args.size() ? args.get(at + 1) : null;
        }

        String target() {
            int at = args.indexOf("-j");
            return at >= 0 && at + 1 < args.size() ? args.get(at + 1) : null;
        }

        /** Matches only packets addressed to this host: {@link IptablesRules#LOCAL_DST}, as iptables prints it. */
        boolean localDst() {
            return Collections.indexOfSubList(args, IptablesRules.LOCAL_DST) >= 0;
        }

        boolean notracks() {
            return "NOTRACK".equals(target()) || ("CT".equals(target()) && args.contains("--notrack"));
        }

        private static String quoteIfNeeded(String token) {
            return token.isEmpty() || token.chars().anyMatch(Character::isWhitespace) ? "\"" + token + "\"" : token;
        }
    }

    /** The agent's rule copies and structure, for the binary that printed {@code text}. */
    static KernelState owned(String text, String binary) {
        List<KernelRule> owned = new ArrayList<>();
        Set<String> structure = new HashSet<>();
        Set<KernelRule> localDst = new HashSet<>();
        Map<String, Integer> position = new HashMap<>();
        for (String raw : text.split("\n")) {
            List<String> tokens = tokenize(raw);
            boolean newChain = tokens.size() == 2 && tokens.get(0).equals("-N");
            if (newChain && tokens.get(1).startsWith(IptablesRules.CHAIN_PREFIX)) {
                structure.add(chainKey(binary, tokens.get(1)));
            }
            Line line = line(tokens);
            if (line == null) {
                continue;
            }
            int number = position.merge(line.chain(), 1, Integer::sum);
            if (line.chain().startsWith(IptablesRules.CHAIN_PREFIX)) {
                String comment = line.comment();
                var id = comment == null ? null : OWN_ID.matcher(comment);
                if (id != null && id.matches()) {
                    KernelRule copy = new KernelRule(id.group(1), binary + " raw " + line.chain(), number,
                            line.packets(), line.bytes());
                    owned.add(copy);
                    if (line.localDst()) {
                        localDst.add(copy);
                    }
                }
            } else if (isOwnJump(line)) {
                structure.add(jumpKey(binary, line.chain()));
            }
        }
        return new KernelState(owned, structure, localDst);
    }

    /** Rules outside the agent's chains that exempt traffic from tracking (NOTRACK or CT --notrack). */
    static List<ForeignRule> foreignNotrack(String text, String binary) {
        List<ForeignRule> foreign = new ArrayList<>();
        for (String raw : text.split("\n")) {
            Line line = line(tokenize(raw));
            if (line != null && !line.chain().startsWith(IptablesRules.CHAIN_PREFIX) && !isOwnJump(line)
                    && line.notracks()) {
                foreign.add(new ForeignRule(binary, binary + " raw " + line.chain(), line.text(), line.packets(),
                        line.bytes()));
            }
        }
        return foreign;
    }

    /** "-A" lines of any table, for callers that look at other tables (nat). */
    static List<Line> lines(String text) {
        List<Line> lines = new ArrayList<>();
        for (String raw : text.split("\n")) {
            Line line = line(tokenize(raw));
            if (line != null) {
                lines.add(line);
            }
        }
        return lines;
    }

    static String chainKey(String binary, String chain) {
        return binary + " chain " + chain;
    }

    static String jumpKey(String binary, String builtinChain) {
        return binary + " jump " + builtinChain;
    }

    private static boolean isOwnJump(Line line) {
        String target = line.target();
        return target != null && target.startsWith(IptablesRules.CHAIN_PREFIX)
                && (line.chain().equals("PREROUTING") || line.chain().equals("OUTPUT"));
    }

    private static Line line(List<String> tokens) {
        if (tokens.size() < 2 || !tokens.get(0).equals("-A")) {
            return null;
        }
        List<String> args = new ArrayList<>();
        long packets = 0;
        long bytes = 0;
        for (int i = 2; i < tokens.size(); i++) {
            if (tokens.get(i).equals("-c") && i + 2 < tokens.size()) {
                packets = parseLong(tokens.get(i + 1));
                bytes = parseLong(tokens.get(i + 2));
                i += 2;
            } else {
                args.add(tokens.get(i));
            }
        }
        return new Line(tokens.get(1), List.copyOf(args), packets, bytes);
    }

    private static long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Splits on whitespace; "double quoted" tokens may hold spaces and \" escapes. */
    static List<String> tokenize(String line) {
        List<String> tokens = new ArrayList<>();
        StringBuilder current = null;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < line.length()) {
                    current.append(line.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    current.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (current != null) {
                    tokens.add(current.toString());
                    current = null;
                }
            } else {
                if (current == null) {
                    current = new StringBuilder();
                }
                if (c == '"') {
                    quoted = true;
                } else {
                    current.append(c);
                }
            }
        }
        if (current != null) {
            tokens.add(current.toString());
        }
        return tokens;
    }
}
