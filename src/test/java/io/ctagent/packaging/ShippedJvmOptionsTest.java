package io.ctagent.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The launch script, the image and the chart start the JVM the same way: the measured way. */
class ShippedJvmOptionsTest {

    @Test
    void scriptImageAndChartAgree() throws IOException {
        String script = Files.readString(Path.of("bin/conntrack-agent"));
        String fromScript = quoted(script, "(?m)^JAVA_OPTS=\"([^\"$]*)\"") + " " + quoted(script, "(?m)^TRIM_OPTS=\"([^\"]*)\"");
        String fromImage = quoted(Files.readString(Path.of("Dockerfile")), "ENV JAVA_TOOL_OPTIONS=\"([^\"]*)\"");
        String fromChart = quoted(Files.readString(Path.of("helm/conntrack-agent/values.yaml")), "(?m)^javaOpts: \"([^\"]*)\"");

        assertThat(fromImage).isEqualTo(fromScript);
        assertThat(fromChart).isEqualTo(fromScript);
        assertThat(fromScript).startsWith("-Dspring.aot.enabled=true ").contains("-XX:+UseSerialGC", "-Xmx96m");
    }

    private static String quoted(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as(regex).isTrue();
        return matcher.group(1);
    }
}
