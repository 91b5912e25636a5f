package io.ctagent.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.ctagent.tuning.Recommendation.RecommendedSetting;

/**
 * Timeouts worth changing, by arithmetic on the host's own TCP settings. Only the established timeout
 * is usually worth it: entries in the closing states live for seconds to minutes already.
 */
final class TimeoutAdvice {

    static final String ESTABLISHED = "net.netfilter.nf_conntrack_tcp_timeout_established";
    static final String TIME_WAIT = "net.netfilter.nf_conntrack_tcp_timeout_time_wait";
    static final String CLOSE_WAIT = "net.netfilter.nf_conntrack_tcp_timeout_close_wait";
    static final String FIN_WAIT = "net.netfilter.nf_conntrack_tcp_timeout_fin_wait";

    private TimeoutAdvice() {
    }

    /**
     * @param current the running timeouts by key (absent keys are skipped)
     * @param keepaliveTime net.ipv4.tcp_keepalive_time
     * @param keepaliveProbes net.ipv4.tcp_keepalive_probes
     * @param keepaliveInterval net.ipv4.tcp_keepalive_intvl
     */
    static List<RecommendedSetting> advise(Map<String, Long> current, long keepaliveTime, long keepaliveProbes,
                             long keepaliveInterval) {
        List<RecommendedSetting> items = new ArrayList<>();
        Long established = current.get(ESTABLISHED);
        if (established != null) {
            long cover = keepaliveTime + keepaliveProbes * keepaliveInterval;
            long recommended = Math.min(established, cover);
            items.add(new RecommendedSetting(ESTABLISHED, established, recommended, "A connection with TCP keepalive sends its first "
                    + "probe after tcp_keepalive_time " + keepaliveTime + " s and is given up after "
                    + keepaliveProbes + " probes " + keepaliveInterval + " s apart: " + keepaliveTime + " + "
                    + keepaliveProbes + " x " + keepaliveInterval + " = " + cover + " s. An established entry idle "
                    + "longer than that belongs to a peer that vanished or a connection without keepalive. "
                    + (established > cover ? "Today's " + established + " s (" + established / 86400.0
                    + " days) keeps such entries that long; " + cover + " s frees them after about "
                    + Math.round(cover / 360.0) / 10.0 + " h. An idle connection without keepalive loses its entry "
                    + "after that; with NAT its next packet is dropped."
                    : "Today's " + established + " s is already no longer than that: keep it.")));
        }
        closing(items, current, TIME_WAIT, 120, "Linux holds TIME_WAIT for 60 s; the default of 120 s covers it "
                + "twice (the runbook's 120 is the default).");
        closing(items, current, CLOSE_WAIT, 60, "CLOSE_WAIT entries wait on the local application; the default 60 s "
                + "is what the runbook also sets.");
        closing(items, current, FIN_WAIT, 120, "Linux's tcp_fin_timeout is 60 s, which the default of 120 s covers. "
                + "Halving it (the runbook's 60) frees at most the entries of connections closed in the last minute, "
                + "few next to established ones.");
        return items;
    }

    private static void closing(List<RecommendedSetting> items, Map<String, Long> current, String key, long kernelDefault,
                                String why) {
        Long value = current.get(key);
        if (value == null) {
            return;
        }
        long recommended = Math.min(value, kernelDefault);
        items.add(new RecommendedSetting(key, value, recommended, why + (value > kernelDefault
                ? " Today's " + value + " s is above the kernel default: go back to " + kernelDefault + " s."
                : " Keep " + value + " s.")));
    }
}
