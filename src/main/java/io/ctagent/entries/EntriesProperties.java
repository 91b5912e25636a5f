package io.ctagent.entries;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * How the agent reads and flushes the conntrack table.
 *
 * @param source where entries come from: auto (/proc/net/nf_conntrack when the kernel has it, else
 *               `conntrack -L -o extended`), procfs or conntrack
 * @param readTimeout how long one pass over the table may take (a slow ndjson client included) before
 *                    the read is stopped
 * @param flushTimeout how long `conntrack -D` or `conntrack -F` may run before it is killed
 * @param summaryMaxGroups distinct groups a summary keeps exact counts for; past it, counts become
 *                         approximate (with a stated bound) so memory stays bounded
 */
@Validated
@ConfigurationProperties("ctagent.entries")
public record EntriesProperties(
        @DefaultValue("auto") @NotNull TableSource.Choice source,
        @DefaultValue("5m") @NotNull Duration readTimeout,
        @DefaultValue("5m") @NotNull Duration flushTimeout,
        @DefaultValue("100000") @Min(100) @Max(2_000_000) int summaryMaxGroups) {
}
