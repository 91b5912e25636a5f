package io.ctagent.launch;

import java.util.ArrayList;
import java.util.List;

import org.springframework.aot.AotDetector;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.stereotype.Component;

/**
 * The shipped launch (bin/conntrack-agent, the image, the chart) runs with Spring AOT
 * ({@code -Dspring.aot.enabled=true}): which beans exist was decided when the jar was built, from
 * the packaged application.yml. A setting that would add or remove beans is then silently without
 * effect, so the start is refused instead, naming the setting and the way out.
 */
@Component
class AotFixedSettings {

    /** Settings read by Boot's conditions (which endpoints and documents exist, and where). */
    static final List<String> KEYS = List.of(
            "management.server.port",
            "management.endpoints.web.exposure.include",
            "management.endpoints.web.exposure.exclude",
            "management.endpoint.health.probes.enabled",
            "springdoc.api-docs.enabled",
            "springdoc.swagger-ui.enabled");

    AotFixedSettings(ConfigurableEnvironment environment) {
        check(environment, AotDetector.useGeneratedArtifacts());
    }

    static void check(ConfigurableEnvironment environment, boolean aot) {
        if (!aot) {
            return;
        }
        List<String> set = setOutsideThePackagedConfig(environment);
        if (!set.isEmpty()) {
            throw new IllegalStateException(String.join(", ", set) + ": this start uses the beans fixed when the"
                    + " jar was built (Spring AOT, -Dspring.aot.enabled=true), where such a setting has no effect."
                    + " Remove it, or start without AOT by adding -Dspring.aot.enabled=false to CTAGENT_JAVA_OPTS"
                    + " (the chart's javaOpts, the image's JAVA_TOOL_OPTIONS); the start is then slower.");
        }
    }

    /** Each of {@link #KEYS} that some source other than the jar's own application.yml sets, with that source. */
    static List<String> setOutsideThePackagedConfig(ConfigurableEnvironment environment) {
        List<String> set = new ArrayList<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (source.getUnderlyingSource() instanceof PropertySource<?> underlying && packaged(underlying)) {
                continue;
            }
            for (String key : KEYS) {
                ConfigurationProperty property = source.getConfigurationProperty(ConfigurationPropertyName.of(key));
                if (property != null) {
                    set.add(key + " (set in " + nameOf(source) + ")");
                }
            }
        }
        return set;
    }

    private static boolean packaged(PropertySource<?> source) {
        return source.getName().contains("class path resource [application.");
    }

    private static String nameOf(ConfigurationPropertySource source) {
        return source.getUnderlyingSource() instanceof PropertySource<?> underlying
                ? underlying.getName() : String.valueOf(source.getUnderlyingSource());
    }
}
