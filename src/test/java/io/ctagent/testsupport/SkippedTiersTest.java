package io.ctagent.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The summary at the end of ./mvnw verify names each skipped tier, why, and what prepares the host. */
class SkippedTiersTest {

    @Test
    void eachSkippedTierIsNamedWithItsClassesItsReasonsAndTheCommandThatPreparesTheHost() {
        String summary = SkippedTiers.summary(List.of(
                "real kernel (*HostIT)\tEntriesHostIT\tAssumption failed: skipped: not running as root",
                "real kernel (*HostIT)\tEntriesHostIT\tskipped: not running as root",
                "real kernel (*HostIT)\tUsageHostIT\tskipped: conntrack is not installed (scripts/setup-test-host.sh installs it)",
                "container (*ContainerIT)\tAgentContainerIT\tskipped: Docker is not available"));

        assertThat(summary).contains("SKIPPED TEST TIERS")
                .contains("real kernel (*HostIT): 2 class(es) (EntriesHostIT, UsageHostIT)")
                .contains("why: conntrack is not installed (scripts/setup-test-host.sh installs it); not running as root")
                .contains("container (*ContainerIT): 1 class(es) (AgentContainerIT)")
                .contains("why: Docker is not available")
                .contains("sudo bash scripts/prepare-host.sh")
                .contains("With CI=true a skipped tier is a failure");
    }

    @Test
    void whenNothingWasSkippedThereIsNothingToSay() {
        assertThat(SkippedTiers.summary(List.of())).isEmpty();
    }

    @Test
    void testClassesFallIntoTheTiersOfTheReadme() {
        assertThat(SkippedTiers.tier("io.ctagent.entries.EntriesHostIT")).isEqualTo("real kernel (*HostIT)");
        assertThat(SkippedTiers.tier("io.ctagent.packaging.AgentContainerIT")).isEqualTo("container (*ContainerIT)");
        assertThat(SkippedTiers.tier("io.ctagent.web.DashboardBrowserIT")).isEqualTo("browser (*BrowserIT)");
        assertThat(SkippedTiers.tier("io.ctagent.reliability.AuditDiskFullFaultIT"))
                .isEqualTo("reliability (*FaultIT, load)");
        assertThat(SkippedTiers.tier("io.ctagent.packaging.HelmChartTest")).isEqualTo("helm chart");
    }
}
