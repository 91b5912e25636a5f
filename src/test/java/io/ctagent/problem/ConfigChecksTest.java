package io.ctagent.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import io.ctagent.audit.AuditProperties;
import io.ctagent.entries.EntriesProperties;
import io.ctagent.entries.TableSource;
import io.ctagent.hashsize.HashsizeProperties;
import io.ctagent.security.ApiSecurityProperties;
import io.ctagent.security.Role;
import io.ctagent.tuning.TuningProperties;
import io.ctagent.usage.UsageProperties;

/** Each setting's range, checked where the properties are built: a bad value stops the start-up. */
class ConfigChecksTest {

    @Test
    void rangesNameThePropertyAndTheBounds() {
        assertThatThrownBy(() -> new TuningProperties(0))
                .hasMessage("ctagent.tuning.max-memory-percent is 0; it must be between 1 and 90");
        assertThatThrownBy(() -> new TuningProperties(91)).hasMessageContaining("between 1 and 90");
        assertThat(new TuningProperties(90).maxMemoryPercent()).isEqualTo(90);
        assertThatThrownBy(() -> new AuditProperties("", DataSize.ofMegabytes(1), 1, java.time.Duration.ofSeconds(60), DataSize.ofMegabytes(1), 4))
                .hasMessageStartingWith("ctagent.audit.max-files is 1");
        assertThatThrownBy(() -> new EntriesProperties(TableSource.Choice.AUTO, Duration.ofMinutes(1),
                Duration.ofMinutes(1), 99, 2)).hasMessageStartingWith("ctagent.entries.summary-max-groups is 99");
        assertThatThrownBy(() -> new EntriesProperties(null, Duration.ofMinutes(1), Duration.ofMinutes(1), 100, 2))
                .hasMessage("ctagent.entries.source must be set");
    }

    @Test
    void warnMustBeBelowCritical() {
        assertThatThrownBy(() -> new UsageProperties(90, 90))
                .hasMessage("ctagent.usage.warn-percent must be below ctagent.usage.critical-percent");
        assertThatThrownBy(() -> new UsageProperties(0, 90)).hasMessageStartingWith("ctagent.usage.warn-percent is 0");
        assertThat(new UsageProperties(75, 90).criticalPercent()).isEqualTo(90);
    }

    @Test
    void modprobeFileMustBeInAModprobeDirectory() {
        assertThatThrownBy(() -> new HashsizeProperties("/etc/modprobe.conf"))
                .hasMessageStartingWith("ctagent.hashsize.modprobe-file must be a *.conf file");
        assertThatThrownBy(() -> new HashsizeProperties(" ")).hasMessage("ctagent.hashsize.modprobe-file must not be empty");
        assertThat(new HashsizeProperties("/etc/modprobe.d/x.conf").modprobeFile()).isEqualTo("/etc/modprobe.d/x.conf");
    }

    @Test
    void anApiKeyNeedsANameAHashAndARole() {
        assertThatThrownBy(() -> new ApiSecurityProperties.ApiKey(" ", "ab", Set.of(Role.VIEWER)))
                .hasMessage("ctagent.security.api-keys[].name must not be empty");
        assertThatThrownBy(() -> new ApiSecurityProperties.ApiKey("ops", "", Set.of(Role.VIEWER)))
                .hasMessageContaining("sha256 (key 'ops') must not be empty");
        assertThatThrownBy(() -> new ApiSecurityProperties.ApiKey("ops", "ab", Set.of()))
                .hasMessageContaining("roles (key 'ops') must name at least one role");
    }

    @Test
    void aBadSettingStopsTheStartUpAndNamesTheProperty() {
        new ApplicationContextRunner().withUserConfiguration(UsageSettings.class)
                .withPropertyValues("ctagent.usage.warn-percent=95")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessage("ctagent.usage.warn-percent must be below ctagent.usage.critical-percent"));
        new ApplicationContextRunner().withUserConfiguration(UsageSettings.class)
                .run(context -> assertThat(context.getBean(UsageProperties.class).warnPercent()).isEqualTo(75));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(UsageProperties.class)
    static class UsageSettings {
    }
}
