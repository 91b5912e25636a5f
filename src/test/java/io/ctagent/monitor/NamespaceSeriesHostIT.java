package io.ctagent.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.HostApi;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.LabNamespace;
import io.ctagent.testsupport.TestApiKeys;

/**
 * Cardinality on the real kernel: 50 lab namespaces, each holding a few conntrack entries (inserted with
 * `conntrack -I` for loopback addresses; no packets), give at most max-series per-namespace series, the
 * fullest among them and the agent's own always; when the namespaces go away their series go with them.
 * Also measures one inventory pass (what the sampler does every interval) with and without the 50.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ctagent.monitor.interval=1s",
        // The lab namespaces hold a handful of entries each: a tiny share, so that all 50 qualify.
        "ctagent.monitor.netns-metrics.min-share=0.000001",
        "ctagent.monitor.netns-metrics.max-series=20"})
@Import(HostApi.class)
class NamespaceSeriesHostIT {

    private static final int NAMESPACES = 50;
    private static final int MAX_SERIES = 20;
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String ENTRIES = "ctagent_netns_conntrack_entries{";

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        TestApiKeys.register(registry);
    }

    @Autowired
    HostApi api;

    @Autowired
    NetnsInventory inventory;

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("ip", "iptables", "conntrack", "nsenter");
    }

    @Test
    void fiftyNamespacesWithEntriesGiveAtMostMaxSeriesSeriesAndTheirSeriesLeaveWithThem() throws Exception {
        double passWithout = inventoryPassMillis();
        List<LabNamespace> labs = new ArrayList<>();
        try {
            for (int i = 0; i < NAMESPACES; i++) {
                LabNamespace lab = LabNamespace.create();
                labs.add(lab);
                // 1 to 5 entries, so the fullest are known: the last namespace holds the most (5).
                for (int e = 0; e < 1 + i / 10; e++) {
                    lab.exec("conntrack", "-I", "-p", "udp", "-s", "127.0.0.1", "-d", "127.0.0.2",
                            "--sport", String.valueOf(40000 + e), "--dport", "9", "--timeout", "600");
                }
            }
            LabNamespace fullest = labs.get(NAMESPACES - 1);
            LabNamespace least = labs.get(0);

            String scrape = await(m -> m.contains("netns=\"" + fullest.name() + "\"")
                    && series(m).stream().filter(l -> l.contains("netns=\"ctlab-")).count() >= MAX_SERIES - 1);
            List<String> series = series(scrape);
            assertThat(series).hasSizeLessThanOrEqualTo(MAX_SERIES);
            assertThat(series).anyMatch(l -> l.contains("netns=\"" + fullest.name() + "\"") && l.endsWith(" 5.0"));
            assertThat(series).noneMatch(l -> l.contains("netns=\"" + least.name() + "\""));
            String own = "inode=\"" + inventory.list().stream().filter(NetnsSummary::own).findFirst().orElseThrow()
                    .inode() + "\"";
            assertThat(series).as("the agent's own namespace keeps its series").anyMatch(l -> l.contains(own));
            assertThat(scrape.lines().filter(l -> l.startsWith("ctagent_netns_conntrack_usage_ratio{")))
                    .hasSizeLessThanOrEqualTo(MAX_SERIES);

            double passWith = inventoryPassMillis();
            System.out.printf("inventory pass: %.1f ms with %d more named namespaces, %.1f ms without "
                    + "(%d namespaces in all)%n", passWith, NAMESPACES, passWithout, inventory.list().size());
        } finally {
            labs.forEach(LabNamespace::close);
        }
        await(m -> series(m).stream().noneMatch(l -> l.contains("netns=\"ctlab-")));
    }

    /** Mean of 5 inventory passes, after one to warm up. */
    private double inventoryPassMillis() {
        inventory.readings();
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            inventory.readings();
        }
        return (System.nanoTime() - start) / 5 / 1e6;
    }

    private static List<String> series(String scrape) {
        return scrape.lines().filter(l -> l.startsWith(ENTRIES)).toList();
    }

    private String await(Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String last;
        do {
            last = api.send("GET", "/actuator/prometheus", TestApiKeys.VIEWER, null).body();
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not within " + PATIENCE + ": " + String.join("\n", series(last)));
    }
}
