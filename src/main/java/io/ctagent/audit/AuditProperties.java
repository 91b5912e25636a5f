package io.ctagent.audit;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import io.ctagent.problem.ConfigChecks;

/**
 * Where and how the audit log is written.
 *
 * @param path the audit file. Empty means the default: /var/lib/conntrack-agent/audit.jsonl when
 *             running as root, else $XDG_STATE_HOME (or ~/.local/state)/conntrack-agent/audit.jsonl;
 *             only the default's directory is created. A configured path's directory must exist.
 * @param maxFileSize the size at which the file is rotated to PATH.1 (PATH.2, ... for older ones)
 * @param maxFiles how many files of change records are kept, the current one included. Change history
 *                 is never deleted: when they are all full, changes are refused (503) until an operator
 *                 archives the oldest or raises this
 * @param deniedInterval denied and unauthenticated requests are written at most once per this interval
 *                       per source address, caller and reason, as one record with their count
 * @param deniedMaxFileSize the size at which the log of denied requests (PATH with {@code -denied}
 *                          before its extension) is rotated
 * @param deniedMaxFiles how many files of denied requests are kept; older ones are deleted, and the
 *                       change log records what went (GET /api/v1/audit/verify reports it)
 */
@ConfigurationProperties("ctagent.audit")
public record AuditProperties(
        @DefaultValue("") String path,
        @DefaultValue("50MB") DataSize maxFileSize,
        @DefaultValue("10") int maxFiles,
        @DefaultValue("60s") Duration deniedInterval,
        @DefaultValue("5MB") DataSize deniedMaxFileSize,
        @DefaultValue("4") int deniedMaxFiles) {

    public AuditProperties {
        ConfigChecks.between("ctagent.audit.max-files", maxFiles, 2, 1000);
        ConfigChecks.required("ctagent.audit.denied-interval", deniedInterval);
        ConfigChecks.check(deniedInterval.toMillis() >= 1000, "ctagent.audit.denied-interval", "must be 1s or more");
        ConfigChecks.between("ctagent.audit.denied-max-files", deniedMaxFiles, 2, 1000);
    }
}
