package io.ctagent.audit;

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
 * @param maxFiles how many files are kept, the current one included; older ones are deleted
 */
@ConfigurationProperties("ctagent.audit")
public record AuditProperties(
        @DefaultValue("") String path,
        @DefaultValue("50MB") DataSize maxFileSize,
        @DefaultValue("10") int maxFiles) {

    public AuditProperties {
        ConfigChecks.between("ctagent.audit.max-files", maxFiles, 2, 1000);
    }
}
