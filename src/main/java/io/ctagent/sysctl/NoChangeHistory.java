package io.ctagent.sysctl;

import java.util.Optional;

import org.springframework.stereotype.Component;

/**
 * The stand-in until the audit log is wired in: it knows no change, so every rollback answers
 * 404. Delete it when the audit log provides a {@link ChangeHistory} bean.
 */
@Component
class NoChangeHistory implements ChangeHistory {

    @Override
    public Optional<RecordedChange> find(String auditId) {
        return Optional.empty();
    }
}
