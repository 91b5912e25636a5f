package io.ctagent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class AotFixedSettingsTest {

    /** The name Boot gives the jar's own application.yml. */
    static final String PACKAGED = "Config resource 'class path resource [application.yml]' via location 'optional:classpath:/'";

    private final StandardEnvironment environment = new StandardEnvironment();

    @Test
    void thePackagedApplicationYmlIsWhatTheBuildSawSoItCounts() {
        environment.getPropertySources().addLast(new MapPropertySource(PACKAGED,
                Map.of("management.endpoints.web.exposure.include", "health, prometheus, info",
                        "management.endpoint.health.probes.enabled", true)));

        assertThat(AotFixedSettings.setOutsideThePackagedConfig(environment)).isEmpty();
        assertThatNoException().isThrownBy(() -> AotFixedSettings.check(environment, true));
    }

    @Test
    void aSettingFromTheCommandLineOrAnotherFileIsNamedWithItsSource() {
        environment.getPropertySources().addFirst(new MapPropertySource("commandLineArgs",
                Map.of("management.server.port", "9090")));
        environment.getPropertySources().addLast(new MapPropertySource(
                "Config resource 'file [/etc/conntrack-agent/application.yml]'",
                Map.of("springdoc.api-docs.enabled", false)));

        assertThat(AotFixedSettings.setOutsideThePackagedConfig(environment)).containsExactlyInAnyOrder(
                "management.server.port (set in commandLineArgs)",
                "springdoc.api-docs.enabled (set in Config resource 'file [/etc/conntrack-agent/application.yml]')");
    }

    @Test
    void environmentVariablesAreFoundByTheirRelaxedNames() {
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource("systemEnvironment",
                Map.of("MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE", "*")));

        assertThat(AotFixedSettings.setOutsideThePackagedConfig(environment))
                .containsExactly("management.endpoints.web.exposure.include (set in systemEnvironment)");
    }

    @Test
    void onlyAnAotStartIsRefused() {
        environment.getPropertySources().addFirst(new MapPropertySource("commandLineArgs",
                Map.of("management.server.port", "9090")));

        assertThatNoException().isThrownBy(() -> AotFixedSettings.check(environment, false));
        assertThatIllegalStateException().isThrownBy(() -> AotFixedSettings.check(environment, true))
                .withMessageStartingWith("management.server.port (set in commandLineArgs): ")
                .withMessageContaining("-Dspring.aot.enabled=false");
    }
}
