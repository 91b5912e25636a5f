package io.ctagent.usage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses /proc/net/stat/nf_conntrack by its header line: kernels print 16 or 17 columns under
 * different names (searched/clashres, delete_list/chainlength), all values in hex, one row per CPU.
 */
public final class StatsParser {

    private StatsParser() {
    }

    public static ConntrackStats parse(String text, String netns, Instant sampledAt) {
        return parse(new StringReader(text), netns, sampledAt);
    }

    static ConntrackStats parse(Reader reader, String netns, Instant sampledAt) {
        try (BufferedReader lines = new BufferedReader(reader)) {
            String header = lines.readLine();
            if (header == null || header.isBlank()) {
                throw new IllegalArgumentException("empty conntrack stat file");
            }
            List<String> columns = Arrays.asList(header.trim().split("\\s+"));
            Map<String, Long> sums = new LinkedHashMap<>();
            List<StatCounters> perCpu = new ArrayList<>();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] values = line.trim().split("\\s+");
                Map<String, Long> row = new LinkedHashMap<>();
                for (int i = 0; i < Math.min(values.length, columns.size()); i++) {
                    long value = Long.parseUnsignedLong(values[i], 16);
                    row.put(columns.get(i), value);
                    // entries is the namespace's table size, repeated on every row: not summed.
                    sums.merge(columns.get(i), value, columns.get(i).equals("entries") ? (a, b) -> b : Long::sum);
                }
                perCpu.add(StatCounters.fromColumns(perCpu.size(), row));
            }
            return new ConntrackStats(netns, columns, StatCounters.fromColumns(null, sums), perCpu, sampledAt);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
