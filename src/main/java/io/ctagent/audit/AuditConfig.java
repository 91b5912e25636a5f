package io.ctagent.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.ctagent.hostagent.HostAgent;

@Configuration(proxyBeanMethods = false)
class AuditConfig {

    static final Path ROOT_DEFAULT = Path.of("/var/lib/conntrack-agent/audit.jsonl");

    @Bean(destroyMethod = "close")
    AuditFile auditFile(AuditProperties properties, HostAgent host) {
        return new AuditFile(path(properties.path(), host.root()), properties.maxFileSize().toBytes(),
                properties.maxFiles());
    }

    @Bean
    AuditLog auditLog(AuditFile file, HostAgent host, Clock clock) {
        return new AuditLog(file, () -> host.mode().name(), clock);
    }

    /** The denied requests, next to the change log: audit.jsonl gets audit-denied.jsonl. */
    @Bean
    DeniedRequests deniedRequests(AuditFile changes, AuditLog audit, AuditProperties properties, HostAgent host,
                                  Clock clock) {
        AuditFile denied = new AuditFile(deniedPath(changes.path()), properties.deniedMaxFileSize().toBytes(),
                properties.deniedMaxFiles(), (AuditFile.Removal) removed -> audit.removing(DENIED_LOG, removed));
        return new DeniedRequests(denied, () -> host.mode().name(), clock, properties.deniedInterval());
    }

    static final String DENIED_LOG = "denied";

    static Path deniedPath(Path changes) {
        String name = changes.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String denied = dot > 0 ? name.substring(0, dot) + "-denied" + name.substring(dot) : name + "-denied";
        return changes.resolveSibling(denied);
    }

    /**
     * An explicit path is used as given: its directory must exist, so a typo fails the start-up.
     * The default works for root (a system service) and for a developer's `mvnw spring-boot:run`.
     */
    static Path path(String configured, boolean root) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.strip());
        }
        Path path = root ? ROOT_DEFAULT : userDefault();
        try {
            Files.createDirectories(path.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the default audit directory " + path.getParent()
                    + "; set ctagent.audit.path", e);
        }
        return path;
    }

    private static Path userDefault() {
        String state = System.getenv("XDG_STATE_HOME");
        Path base = state != null && !state.isBlank() ? Path.of(state)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("conntrack-agent").resolve("audit.jsonl");
    }
}
