package io.ctagent.entries;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Service;

import io.ctagent.hostagent.NetnsTarget;
import tools.jackson.databind.ObjectMapper;

/** Lists, streams, counts and summarises a namespace's conntrack entries, each in one pass of the table. */
@Service
public class EntryService {

    static final int MAX_LIMIT = 10_000;
    static final int MAX_TOP = 1_000;

    private final ConntrackTable table;
    private final EntriesProperties properties;
    private final ObjectMapper json;

    public EntryService(ConntrackTable table, EntriesProperties properties, ObjectMapper json) {
        this.table = table;
        this.properties = properties;
        this.json = json;
    }

    /** Up to limit matching entries after the cursor, and the cursor of the page after. */
    public EntryPage page(NetnsTarget netns, EntryFilter filter, int limit, String cursorText) {
        long scope = PageCursor.scopeOf(filter, netns.toString());
        PageCursor cursor = cursorText == null ? PageCursor.first(scope) : PageCursor.parse(cursorText, scope);
        TableSource source = table.sourceFor(netns);
        List<ConntrackEntry> entries = new ArrayList<>(Math.min(limit, 1024));
        List<String> warnings = new ArrayList<>();
        long[] matched = {0};
        long[] lastFingerprint = {0};
        boolean[] more = {false};
        table.scan(netns, source, filter.scope(), e -> {
            if (!filter.matches(e)) {
                return true;
            }
            long index = matched[0]++;
            if (index < cursor.offset()) {
                if (index == cursor.offset() - 1 && PageCursor.fingerprint(e) != cursor.lastEntry()) {
                    warnings.add("the table changed since the previous page: entries may be repeated or missed; "
                            + "for a consistent view stream everything with Accept: application/x-ndjson");
                }
                return true;
            }
            if (entries.size() == limit) {
                more[0] = true;
                return false;
            }
            entries.add(e.toEntry());
            lastFingerprint[0] = PageCursor.fingerprint(e);
            return true;
        });
        if (cursor.offset() > 0 && matched[0] < cursor.offset()) {
            warnings.add("the table shrank since the previous page: fewer entries match than were already returned");
        }
        String next = more[0] ? new PageCursor(cursor.offset() + entries.size(), scope, lastFingerprint[0]).encode()
                : null;
        return new EntryPage(netns.name().orElse(null), source.toString(), filter.describe(), limit, entries, next,
                warnings);
    }

    /** Checks that the table can be read before a streaming response commits to 200. */
    public TableSource prepareStream(NetnsTarget netns) {
        return table.sourceFor(netns);
    }

    /** Writes every matching entry (at most limit, when given) as one JSON object per line. */
    public void writeNdjson(NetnsTarget netns, TableSource source, EntryFilter filter, Integer limit,
                            OutputStream target) throws IOException {
        OutputStream out = new BufferedOutputStream(target, 64 * 1024);
        long[] written = {0};
        table.scan(netns, source, filter.scope(), e -> {
            if (!filter.matches(e)) {
                return true;
            }
            if (limit != null && written[0] == limit) {
                return false;
            }
            try {
                out.write(json.writeValueAsBytes(e.toEntry()));
                out.write('\n');
            } catch (IOException failed) {
                throw new UncheckedIOException(failed);
            }
            written[0]++;
            return true;
        });
        out.flush();
    }

    /** Counts matching entries per group in one pass; memory is bounded by summaryMaxGroups. */
    public EntrySummary summary(NetnsTarget netns, EntryFilter filter, List<GroupBy> groupBy, int top) {
        long started = System.nanoTime();
        TableSource source = table.sourceFor(netns);
        GroupKeys keys = new GroupKeys(groupBy);
        GroupCounter counter = new GroupCounter(keys.width(), properties.summaryMaxGroups());
        long[] key = new long[keys.width()];
        long[] matched = {0};
        ConntrackTable.Pass pass = table.scan(netns, source, filter.scope().with(keys.scope()), e -> {
            if (filter.matches(e)) {
                matched[0]++;
                keys.encode(e, key);
                counter.add(key);
            }
            return true;
        });
        List<EntrySummary.Group> groups = new ArrayList<>();
        long shown = 0;
        for (int slot : counter.top(top)) {
            groups.add(new EntrySummary.Group(keys.decode(counter.keys(), counter.offset(slot)), counter.count(slot)));
            shown += counter.count(slot);
        }
        List<String> warnings = new ArrayList<>();
        if (counter.maxUndercount() > 0) {
            warnings.add("more than " + properties.summaryMaxGroups() + " distinct groups: counts are approximate "
                    + "(each may be short by up to " + counter.maxUndercount() + "); group by fewer or coarser "
                    + "fields, or narrow the filter, for exact counts");
        }
        skippedWarning(pass).ifPresent(warnings::add);
        long millis = (System.nanoTime() - started) / 1_000_000;
        return new EntrySummary(netns.name().orElse(null), source.toString(), filter.describe(),
                groupBy.stream().map(GroupBy::field).toList(), top, pass.entries(), matched[0], groups,
                Math.max(0, matched[0] - shown), counter.size(), counter.maxUndercount() == 0,
                counter.maxUndercount(), millis, warnings);
    }

    /** How many entries match now: one pass, nothing kept. */
    /** The whole table grouped, for other features (the diagnosis). */
    public EntrySummary summarizeAll(NetnsTarget netns, List<GroupBy> groupBy, int top) {
        return summary(netns, EntryFilter.ALL, groupBy, top);
    }

    /** What the filter matches and how many entries the same pass saw: the flush guard's measure. */
    public FlushShare share(NetnsTarget netns, EntryFilter filter) {
        long[] matched = {0};
        ConntrackTable.Pass pass = table.scan(netns, table.sourceFor(netns), filter.scope(), e -> {
            if (filter.matches(e)) {
                matched[0]++;
            }
            return true;
        });
        return new FlushShare(matched[0], pass.entries());
    }

    public long countMatching(NetnsTarget netns, EntryFilter filter) {
        long[] matched = {0};
        table.scan(netns, table.sourceFor(netns), filter.scope(), e -> {
            if (filter.matches(e)) {
                matched[0]++;
            }
            return true;
        });
        return matched[0];
    }

    private static java.util.Optional<String> skippedWarning(ConntrackTable.Pass pass) {
        if (pass.skipped() == 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(pass.skipped() + " lines of the table could not be read as entries and were "
                + "left out");
    }
}
