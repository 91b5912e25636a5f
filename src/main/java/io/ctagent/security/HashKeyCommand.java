package io.ctagent.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code java -jar conntrack-agent.jar --hash-key}: reads one key from standard input and prints
 * the SHA-256 hex to put in {@code ctagent.security.api-keys[i].sha256}. Runs without starting
 * the server. One trailing newline is ignored, so {@code echo "$KEY" | ...} works; the same
 * hash comes from {@code printf %s "$KEY" | sha256sum}.
 */
public final class HashKeyCommand {

    public static final String FLAG = "--hash-key";

    /** Shorter keys can be guessed; the generated ones are 47 characters. */
    static final int SHORTEST_ADVISED = 24;

    private HashKeyCommand() {
    }

    public static boolean requested(String[] args) {
        return Arrays.asList(args).contains(FLAG);
    }

    /** @return the process exit code */
    public static int run(InputStream in, PrintStream out, PrintStream err) {
        String key;
        try {
            key = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("cannot read the key from standard input: " + e.getMessage());
            return 1;
        }
        if (key.endsWith("\r\n")) {
            key = key.substring(0, key.length() - 2);
        } else if (key.endsWith("\n")) {
            key = key.substring(0, key.length() - 1);
        }
        if (key.isEmpty()) {
            err.println("no key on standard input; usage: printf %s \"$KEY\" | java -jar conntrack-agent.jar "
                    + FLAG);
            return 2;
        }
        if (!key.equals(key.strip()) || key.contains("\n")) {
            err.println("warning: the key has surrounding whitespace or several lines; it is hashed as given");
        }
        if (key.length() < SHORTEST_ADVISED) {
            err.println("warning: the key is short (" + key.length() + " characters); use at least "
                    + SHORTEST_ADVISED + " random characters, e.g. openssl rand -base64 32");
        }
        out.println(hash(key));
        return 0;
    }

    /** What goes in {@code ctagent.security.api-keys[i].sha256} for this key. */
    public static String hash(String key) {
        return ApiKeys.sha256Hex(key);
    }
}
