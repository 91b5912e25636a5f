package io.ctagent.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;

/** A system load high enough to slow conntrack down. */
final class LoadCheck implements DiagnosisCheck {

    private final HostAgent host;

    LoadCheck(HostAgent host) {
        this.host = host;
    }

    @Override
    public List<Finding> check(DiagnosisFacts facts) {
        return load(facts.recommendation().inputs().cpus()).stream().toList();
    }

    Optional<Finding> load(int cpus) {
        Optional<String> loadavg = host.readProc(NetnsTarget.OWN, "loadavg");
        if (loadavg.isEmpty() || cpus <= 0) {
            return Optional.empty();
        }
        double oneMinute = Double.parseDouble(loadavg.get().strip().split("\\s+")[0]);
        double perCpu = Math.round(100.0 * oneMinute / cpus) / 100.0;
        if (perCpu < 1.0) {
            return Optional.empty();
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("loadavg1", oneMinute);
        evidence.put("cpus", cpus);
        evidence.put("loadPerCpu", perCpu);
        return Optional.of(new Finding("system-load", perCpu >= 2 ? Severity.CRITICAL : Severity.WARNING,
                "System load is high", "The 1-minute load is " + oneMinute + " on " + cpus + " CPUs (" + perCpu
                + " per CPU). Conntrack lookups and garbage collection slow down under load; no API call fixes "
                + "this: find the busy processes (top, dmesg).", evidence, null));
    }
}
