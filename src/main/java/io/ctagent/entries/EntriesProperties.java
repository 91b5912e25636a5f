package io.ctagent.entries;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.ctagent.problem.ConfigChecks;

/**
 * How the agent reads and flushes the conntrack table.
 *
 * @param source where entries come from: auto (/proc/net/nf_conntrack when the kernel has it, else
 *               `conntrack -L -o extended`), procfs or conntrack
 * @param readTimeout how long one pass over the table may take (a slow ndjson client included) before
 *                    the read is stopped
 * @param flushTimeout how long `conntrack -D` or `conntrack -F` may run before it is killed
 * @param summaryMaxGroups distinct groups a summary keeps exact counts for; past it, counts become
 *                         approximate (with a stated bound) so memory stays bounded: at most
 *                         {@link GroupCounter#bytesAtMost} (7.7 MB at the default) per summary
 * @param maxConcurrent how many heavy reads (summary, entries list and stream, diagnosis) run at once;
 *                      more are answered 429 with Retry-After. With summaryMaxGroups it bounds their
 *                      memory, sized to fit the shipped 96 MB heap with room to spare
 */
@ConfigurationProperties("ctagent.entries")
public record EntriesProperties(
        @DefaultValue("auto") TableSource.Choice source,
        @DefaultValue("5m") Duration readTimeout,
        @DefaultValue("5m") Duration flushTimeout,
        @DefaultValue("50000") int summaryMaxGroups,
        @DefaultValue("2") int maxConcurrent) {

    public EntriesProperties {
        ConfigChecks.required("ctagent.entries.source", source);
        ConfigChecks.required("ctagent.entries.read-timeout", readTimeout);
        ConfigChecks.required("ctagent.entries.flush-timeout", flushTimeout);
        ConfigChecks.between("ctagent.entries.summary-max-groups", summaryMaxGroups, 100, 2_000_000);
        ConfigChecks.between("ctagent.entries.max-concurrent", maxConcurrent, 1, 64);
    }
}
