package io.ctagent.entries;

import static io.ctagent.entries.EntryFilterTest.filter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpStatus;

import io.ctagent.hostagent.CommandRunner;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.HostMode;
import io.ctagent.hostagent.HostPaths;
import io.ctagent.hostagent.HostProperties;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Tools;
import io.ctagent.testsupport.FakeHost;
import io.ctagent.problem.OperatorProblem;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The service over a fake /proc/net/nf_conntrack: 250 udp entries to 127.0.0.x:9, 20 tcp, 5 icmp. */
class EntryServiceTest {

    @TempDir
    Path temp;
    private FakeHost host;
    private final JsonMapper json = JsonMapper.builder().build();

    @BeforeEach
    void writeTable() {
        host = FakeHost.copyTo(temp);
        host.write("proc/net/nf_conntrack", table());
    }

    static String table() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            text.append("ipv4     2 udp      17 599 src=127.0.0.1 dst=127.0.").append(i / 100).append('.')
                    .append(i % 100).append(" sport=40000 dport=9 [UNREPLIED] src=127.0.").append(i / 100).append('.')
                    .append(i % 100).append(" dst=127.0.0.1 sport=9 dport=40000 mark=0 zone=0 use=2\n");
        }
        for (int i = 0; i < 20; i++) {
            text.append("ipv4     2 tcp      6 431999 ").append(i < 15 ? "ESTABLISHED" : "TIME_WAIT")
                    .append(" src=127.0.0.1 dst=127.0.0.1 sport=").append(50000 + i).append(" dport=18080 ")
                    .append("src=127.0.0.1 dst=127.0.0.1 sport=18080 dport=").append(50000 + i)
                    .append(" [ASSURED] mark=0 zone=0 use=2\n");
        }
        for (int i = 0; i < 5; i++) {
            text.append("ipv4     2 icmp     1 29 src=127.0.0.1 dst=127.0.0.5 type=8 code=0 id=").append(i)
                    .append(" src=127.0.0.5 dst=127.0.0.1 type=0 code=0 id=").append(i).append(" mark=0 zone=0 use=2\n");
        }
        return text.toString();
    }

    private EntryService service(TableSource.Choice source, int maxGroups) {
        HostProperties properties = new HostProperties(host.proc().toString(), host.sys().toString(),
                host.root().toString(), HostMode.DIRECT, Duration.ofSeconds(5), 4096,
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        HostAgent agent = new HostAgent(properties, new HostPaths(properties), new Tools(properties),
                new CommandRunner(properties));
        EntriesProperties entries = new EntriesProperties(source, Duration.ofSeconds(5), Duration.ofSeconds(5),
                maxGroups, 2);
        return new EntryService(new ConntrackTable(agent, entries), entries, json);
    }

    private EntryService service() {
        return service(TableSource.Choice.AUTO, 100_000);
    }

    @Test
    void summaryCountsByTheGroupsInOnePassWithTotalAndMatched() {
        EntrySummary summary = service().summary(NetnsTarget.OWN, EntryFilter.ALL,
                List.of(GroupBy.PROTOCOL, GroupBy.STATE), 10);

        assertThat(summary.total()).isEqualTo(275);
        assertThat(summary.matched()).isEqualTo(275);
        assertThat(summary.source()).isEqualTo("procfs");
        assertThat(summary.groups()).extracting(EntrySummary.Group::count).containsExactly(250L, 15L, 5L, 5L);
        assertThat(summary.groups().get(0).key()).containsEntry("protocol", "udp").containsEntry("state", null);
        assertThat(summary.groups().get(1).key()).containsEntry("protocol", "tcp").containsEntry("state",
                "ESTABLISHED");
        assertThat(summary.exact()).isTrue();
        assertThat(summary.otherMatched()).isZero();
    }

    @Test
    void summaryAppliesTheFilterAndTopAndSaysWhatIsLeftOver() {
        EntrySummary summary = service().summary(NetnsTarget.OWN, filter("protocol", "udp", "dst", "127.0.1.0/24"),
                List.of(GroupBy.DST, GroupBy.DPORT), 3);

        assertThat(summary.total()).isEqualTo(275);
        assertThat(summary.matched()).isEqualTo(100);
        assertThat(summary.groups()).hasSize(3);
        assertThat(summary.groups().get(0).key()).containsEntry("dst", "127.0.1.0").containsEntry("dport", 9);
        assertThat(summary.otherMatched()).isEqualTo(97);
        assertThat(summary.distinctGroups()).isEqualTo(100);
        assertThat(summary.filter()).containsEntry("dst", "127.0.1.0/24");
    }

    @Test
    void summaryPastTheGroupCapSaysItIsApproximate() {
        EntrySummary summary = service(TableSource.Choice.AUTO, 100).summary(NetnsTarget.OWN, EntryFilter.ALL,
                List.of(GroupBy.DST), 2);

        assertThat(summary.exact()).isFalse();
        assertThat(summary.maxUndercount()).isPositive();
        assertThat(summary.warnings()).anyMatch(w -> w.contains("approximate"));
        assertThat(summary.groups().get(0).key()).containsEntry("dst", "127.0.0.1");
    }

    @Test
    void summaryGroupsByEveryField() {
        EntrySummary summary = service().summary(NetnsTarget.OWN, filter("protocol", "tcp"),
                List.of(GroupBy.PROTOCOL, GroupBy.STATE, GroupBy.SRC, GroupBy.DST, GroupBy.DPORT, GroupBy.SPORT,
                        GroupBy.ZONE, GroupBy.MARK), 1);

        assertThat(summary.groups().get(0).key()).containsExactly(Map.entry("protocol", "tcp"),
                Map.entry("state", "ESTABLISHED"), Map.entry("src", "127.0.0.1"), Map.entry("dst", "127.0.0.1"),
                Map.entry("dport", 18080), Map.entry("sport", 50000), Map.entry("zone", 0), Map.entry("mark", 0L));
    }

    @Test
    void pagesWalkEveryMatchOnceWithCursors() {
        EntryService service = service();
        EntryFilter udp = filter("protocol", "udp");
        Set<String> seen = new HashSet<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            EntryPage page = service.page(NetnsTarget.OWN, udp, 100, cursor);
            sizes.add(page.entries().size());
            page.entries().forEach(e -> assertThat(seen.add(e.original().dst())).isTrue());
            assertThat(page.warnings()).isEmpty();
            cursor = page.nextCursor();
        } while (cursor != null);

        assertThat(sizes).containsExactly(100, 100, 50);
        assertThat(seen).hasSize(250);
    }

    @Test
    void theLastFullPageHasNoNextCursor() {
        EntryPage page = service().page(NetnsTarget.OWN, filter("protocol", "icmp"), 5, null);

        assertThat(page.entries()).hasSize(5);
        assertThat(page.nextCursor()).isNull();
    }

    @Test
    void aPageAfterTheTableChangedSaysSo() {
        EntryService service = service();
        EntryPage first = service.page(NetnsTarget.OWN, filter("protocol", "udp"), 100, null);
        host.write("proc/net/nf_conntrack", table().lines().skip(1).reduce("", (a, b) -> a + b + "\n"));

        EntryPage second = service.page(NetnsTarget.OWN, filter("protocol", "udp"), 100, first.nextCursor());

        assertThat(second.warnings()).anyMatch(w -> w.contains("table changed"));
    }

    @Test
    void ndjsonIsOneEntryPerLineAndHonoursALimit() throws Exception {
        EntryService service = service();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteArrayOutputStream capped = new ByteArrayOutputStream();

        service.writeNdjson(NetnsTarget.OWN, TableSource.PROCFS, filter("protocol", "tcp"), null, all);
        service.writeNdjson(NetnsTarget.OWN, TableSource.PROCFS, EntryFilter.ALL, 7, capped);

        List<String> lines = all.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(20);
        JsonNode first = json.readTree(lines.get(0));
        assertThat(first.get("protocol").asText()).isEqualTo("tcp");
        assertThat(first.get("original").get("dport").asInt()).isEqualTo(18080);
        assertThat(all.toString(StandardCharsets.UTF_8)).endsWith("}\n");
        assertThat(capped.toString(StandardCharsets.UTF_8).lines()).hasSize(7);
    }

    @Test
    void aTableLargerThanTheReadAheadRingIsReadWholeAndInOrder() {
        host.write("proc/net/nf_conntrack", TableReaderTest.table(40_000));
        EntryService service = service();

        EntrySummary summary = service.summary(NetnsTarget.OWN, EntryFilter.ALL, List.of(GroupBy.DST), 1);
        EntryPage page = service.page(NetnsTarget.OWN, EntryFilter.ALL, 2, null);

        assertThat(summary.total()).isEqualTo(40_000);
        assertThat(summary.distinctGroups()).isEqualTo(40_000);
        assertThat(page.entries()).extracting(e -> e.original().dst()).containsExactly("127.0.0.0", "127.0.0.1");
        assertThat(readAheadThreads()).isZero();
    }

    @Test
    void aListingCutShortByItsClientStopsTheReadAndLeavesNoThread() {
        host.write("proc/net/nf_conntrack", TableReaderTest.table(40_000));
        OutputStream gone = new OutputStream() {
            private int written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                written += len;
                if (written > 100_000) {
                    throw new IOException("Broken pipe");
                }
            }
        };

        assertThatThrownBy(() -> service().writeNdjson(NetnsTarget.OWN, TableSource.PROCFS, EntryFilter.ALL, null,
                gone)).hasRootCauseMessage("Broken pipe");
        assertThat(readAheadThreads()).isZero();
    }

    private static long readAheadThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("conntrack-table-read-ahead")).count();
    }

    @Test
    void countsMatchingEntries() {
        assertThat(service().countMatching(NetnsTarget.OWN, filter("state", "TIME_WAIT"))).isEqualTo(5);
    }

    @Test
    void withoutTheProcTableButWithConntrackLoadedTheSourceIsTheConntrackTool() {
        host.delete("proc/net/nf_conntrack");
        HostProperties properties = new HostProperties(host.proc().toString(), host.sys().toString(),
                host.root().toString(), HostMode.DIRECT, Duration.ofSeconds(5), 4096,
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        HostAgent agent = new HostAgent(properties, new HostPaths(properties), new Tools(properties),
                new CommandRunner(properties));
        org.assertj.core.api.Assumptions.assumeThat(agent.tools().find(io.ctagent.hostagent.Tool.CONNTRACK))
                .isPresent();
        ConntrackTable table = new ConntrackTable(agent, new EntriesProperties(TableSource.Choice.AUTO,
                Duration.ofSeconds(5), Duration.ofSeconds(5), 1000, 2));

        assertThat(table.sourceFor(NetnsTarget.OWN)).isEqualTo(TableSource.CONNTRACK);
    }

    @Test
    void withoutConntrackLoadedItIsA503() {
        host.delete("proc/net/nf_conntrack");
        host.delete("proc/sys/net/netfilter/nf_conntrack_count");

        assertThatThrownBy(() -> service().summary(NetnsTarget.OWN, EntryFilter.ALL, List.of(GroupBy.PROTOCOL), 5))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        p -> assertThat(p.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE));
    }
}
