package io.ctagent.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.forwardedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The dashboard's files: served at / with the Content-Security-Policy, and written so that they
 * work behind a path prefix and under that policy (relative URLs only, no inline code or styles,
 * nothing from another origin, API text never parsed as HTML).
 */
@SpringBootTest
@AutoConfigureMockMvc
class DashboardPageTest {

    @Autowired
    MockMvc mvc;

    @Test
    void rootServesTheDashboardWithThePolicy() throws Exception {
        mvc.perform(get("/").accept(MediaType.TEXT_HTML))
                .andExpect(status().isOk())
                .andExpect(forwardedUrl("index.html"))
                .andExpect(header().string("Content-Security-Policy", DashboardHeaders.CONTENT_SECURITY_POLICY));
    }

    @Test
    void everyDashboardFileCarriesThePolicyAndNeedsNoKey() throws Exception {
        for (String path : List.of("/index.html", "/app.js", "/app.css")) {
            mvc.perform(get(path))
                    .andExpect(status().isOk())
                    .andExpect(header().string("Content-Security-Policy", DashboardHeaders.CONTENT_SECURITY_POLICY));
        }
        mvc.perform(get("/index.html")).andExpect(content().string(containsString("id=\"usage-count\"")));
    }

    @Test
    void onlyTheDashboardsOwnFilesAreOpenAndTheyCarryThePolicyAlone() throws Exception {
        mvc.perform(get("/dashboard.js")).andExpect(status().isUnauthorized())
                .andExpect(header().doesNotExist("Content-Security-Policy"));
        mvc.perform(get("/api/v1/agent")).andExpect(status().isUnauthorized())
                .andExpect(header().doesNotExist("Content-Security-Policy"));
    }

    @Test
    void thePolicyAllowsOnlyTheAgentsOwnOrigin() {
        assertThat(DashboardHeaders.CONTENT_SECURITY_POLICY).isEqualTo("default-src 'self'; script-src 'self'; "
                + "style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'");
    }

    @Test
    void thePagesUrlsAreRelativeAndItHasNoInlineCodeOrStyles() throws IOException {
        String html = file("index.html");
        Matcher urls = Pattern.compile("(?:src|href|action)=\"([^\"]*)\"").matcher(html);
        int count = 0;
        while (urls.find()) {
            assertThat(urls.group(1)).as("URL in index.html").doesNotStartWith("/").satisfiesAnyOf(
                    url -> assertThat(url).doesNotContain(":"), url -> assertThat(url).startsWith("data:"));
            count++;
        }
        assertThat(count).as("index.html links its script and styles").isGreaterThanOrEqualTo(3);
        assertThat(html).contains("src=\"./app.js\"", "href=\"./app.css\"")
                .doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>")
                .doesNotContainPattern("\\sstyle=")
                .doesNotContainPattern("\\son[a-z]+=")
                .doesNotContain("<style");
    }

    @Test
    void theScriptCallsTheApiRelativeToThePageAndNeverParsesApiTextAsHtml() throws IOException {
        String script = file("app.js");
        Matcher apiPaths = Pattern.compile("['`\"]([^'`\"\n]*api/v1[^'`\"\n]*)['`\"]").matcher(script);
        int count = 0;
        while (apiPaths.find()) {
            assertThat(apiPaths.group(1)).as("API path in app.js").startsWith("api/v1/");
            count++;
        }
        assertThat(count).as("usage, history, events, stream, netns, summary, diagnosis, notrack, agent")
                .isGreaterThanOrEqualTo(9);
        assertThat(script.replace("'http://www.w3.org/2000/svg'", "")).doesNotContain("://")
                .doesNotContainPattern("['`\"]/[a-z]");
        assertThat(script).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                "eval(", "new Function", "setAttribute('style'", "localStorage.setItem", "new EventSource");
    }

    @Test
    void theStylesLoadNothing() throws IOException {
        String css = file("app.css");
        assertThat(css).doesNotContain("@import", "url(");
    }

    private static String file(String name) throws IOException {
        try (InputStream in = DashboardPageTest.class.getResourceAsStream("/static/" + name)) {
            assertThat(in).as("static/" + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
