package io.ctagent.usage;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The counters of /proc/net/stat/nf_conntrack for one CPU, or summed over all CPUs.
 * A counter the running kernel does not print is null (and left out of the JSON).
 *
 * @param cpu the CPU's row index, or null for the totals
 * @param entries entries in the table (the same on every row: the namespace's count)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatCounters(Integer cpu, Long entries, Long found, Long invalid, Long ignore, Long insert,
                           Long insertFailed, Long drop, Long earlyDrop, Long icmpError, Long expectNew,
                           Long expectCreate, Long expectDelete, Long searchRestart, Long clashResolve,
                           Long chainTooLong) {

    /** Builds counters from the kernel's column names (found, insert_failed, clashres, ...). */
    static StatCounters fromColumns(Integer cpu, Map<String, Long> columns) {
        return new StatCounters(cpu, columns.get("entries"), columns.get("found"), columns.get("invalid"),
                columns.get("ignore"), columns.get("insert"), columns.get("insert_failed"), columns.get("drop"),
                columns.get("early_drop"), columns.get("icmp_error"), columns.get("expect_new"),
                columns.get("expect_create"), columns.get("expect_delete"), columns.get("search_restart"),
                columns.get("clashres"), columns.get("chainlength"));
    }
}
