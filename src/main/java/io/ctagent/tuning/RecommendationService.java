package io.ctagent.tuning;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.HostFiles;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.tuning.Recommendation.RecommendationInputs;
import io.ctagent.tuning.Recommendation.RecommendedSetting;
import io.ctagent.usage.UsageHistory;
import io.ctagent.problem.OperatorProblem;

/** Gathers the host's facts and turns them into a {@link Recommendation}. */
@Service
public class RecommendationService {

    static final String MAX = "net.netfilter.nf_conntrack_max";
    static final String BUCKETS = "net.netfilter.nf_conntrack_buckets";
    static final String COUNT = "net.netfilter.nf_conntrack_count";

    private final HostAgent host;
    private final HostFiles files;
    private final HostMemory memory;
    private final UsageHistory history;

    RecommendationService(HostAgent host, HostFiles files, HostMemory memory, UsageHistory history) {
        this.host = host;
        this.files = files;
        this.memory = memory;
        this.history = history;
    }

    public Recommendation recommend() {
        List<String> keys = List.of(MAX, BUCKETS, COUNT, TimeoutAdvice.ESTABLISHED, TimeoutAdvice.TIME_WAIT,
                TimeoutAdvice.CLOSE_WAIT, TimeoutAdvice.FIN_WAIT, "net.ipv4.tcp_keepalive_time",
                "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_keepalive_intvl");
        Map<String, Long> values = new LinkedHashMap<>();
        files.readSysctls(NetnsTarget.OWN, keys).forEach((key, text) -> values.put(key, Long.parseLong(text.strip())));
        for (String required : List.of(MAX, BUCKETS, COUNT)) {
            if (!values.containsKey(required)) {
                throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "conntrack-not-loaded",
                        "Connection tracking not loaded", required + " is missing: nf_conntrack is not loaded, so "
                        + "there is nothing to size. Load it with 'modprobe nf_conntrack'.");
            }
        }
        List<String> warnings = new ArrayList<>();
        String release = host.readProc(NetnsTarget.OWN, "sys/kernel/osrelease").map(String::strip).orElse(null);
        if (release == null || !release.matches("\\d+\\.\\d+.*")) {
            warnings.add("The kernel release is unknown; the 5.15+ default rule is assumed.");
        }
        long memTotal = memory.memTotalBytes();
        Duration kept = history.properties().history();
        long sampledPeak = history.window(kept).peakCount();
        long count = values.get(COUNT);
        long peak = Math.max(sampledPeak, count);
        String peakSource = sampledPeak >= count
                ? "the highest count sampled in the last " + kept.toMinutes() + " min (ctagent.monitor.history)"
                : "the current count, above every count sampled in the last " + kept.toMinutes() + " min";
        RecommendationInputs inputs = new RecommendationInputs(memTotal, cpus(), release, memory.objectSize(), peak,
                peakSource,
                values.get(MAX), values.get(BUCKETS), memory.budgetPercent(), memory.budgetBytes(),
                memory.budgetEntries());
        KernelDefaults.Rule rule = KernelDefaults.forHost(memTotal, release);
        TableSizing.Sizing sizing = TableSizing.size(inputs, rule, MAX, BUCKETS);
        warnings.addAll(sizing.warnings());
        List<RecommendedSetting> timeouts = TimeoutAdvice.advise(values, values.getOrDefault("net.ipv4.tcp_keepalive_time", 7200L),
                values.getOrDefault("net.ipv4.tcp_keepalive_probes", 9L),
                values.getOrDefault("net.ipv4.tcp_keepalive_intvl", 75L));
        Map<String, Long> changes = new LinkedHashMap<>();
        List<RecommendedSetting> all = new ArrayList<>(List.of(sizing.max(), sizing.buckets()));
        all.addAll(timeouts);
        for (RecommendedSetting item : all) {
            if (item.current() == null || item.current() != item.recommended()) {
                changes.put(item.key(), item.recommended());
            }
        }
        return new Recommendation(inputs, new Recommendation.KernelDefault(rule.buckets(), rule.max(), rule.rule()),
                sizing.max(), sizing.buckets(), timeouts, TableSizing.runbookOptions(),
                TableSizing.verdict(memory.objectSize()), new Recommendation.PatchBody(changes, true), warnings);
    }

    private int cpus() {
        int counted = host.readProc(NetnsTarget.OWN, "stat").map(CpuCount::fromProcStat).orElse(0);
        return counted > 0 ? counted : Runtime.getRuntime().availableProcessors();
    }
}
