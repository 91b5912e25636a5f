package io.ctagent.audit;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Where and how the audit log is written.
 *
 * @param path the audit file. Empty means the default: /var/lib/conntrack-agent/audit.jsonl when
 *             running as root, else $XDG_STATE_HOME (or ~/.local/state)/conntrack-agent/audit.jsonl;
 *             only the default's directory is created. A configured path's directory must exist.
 * @param maxFileSize the size at which the file is rotated to PATH.1 (PATH.2, ... for older ones)
 * @param maxFiles how many files are kept, the current one included; older ones are deleted
 */
@Validated
@ConfigurationProperties("ctagent.audit")
public record AuditProperties(
        @DefaultValue("") String path,
        @DefaultValue("50MB") DataSize maxFileSize,
        @DefaultValue("10") @Min(2) @Max(1000) int maxFiles) {
}
