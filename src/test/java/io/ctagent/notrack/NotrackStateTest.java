package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.StateFiles;
import tools.jackson.databind.json.JsonMapper;

class NotrackStateTest {

    @TempDir
    Path temp;

    private NotrackState state() {
        return new NotrackState(new NotrackProperties(NotrackProperties.BackendChoice.AUTO,
                temp.resolve("notrack.json").toString(), Duration.ofSeconds(60)), new StateFiles(),
                JsonMapper.builder().build());
    }

    @Test
    void rulesSurviveARestartPerNamespaceWithTheOwnNamespaceUnderTheEmptyKey() throws Exception {
        NotrackRule own = RuleSpecs.udp("0a1b2c3d", 53);
        NotrackRule lab = RuleSpecs.rule("deadbeef", RuleSpecs.spec("PREROUTING", null, "tcp", "80,1000-2000", 5,
                "eth+", null, "2001:db8::/32", null));
        state().replace(NetnsTarget.OWN, List.of(own));
        state().replace(NetnsTarget.parse("lab1"), List.of(lab));

        NotrackState reloaded = state();

        assertThat(reloaded.rules(NetnsTarget.OWN)).containsExactly(own);
        assertThat(reloaded.rules(NetnsTarget.parse("lab1"))).containsExactly(lab);
        assertThat(reloaded.all()).containsOnlyKeys("", "lab1");
        assertThat(Files.readString(temp.resolve("notrack.json"))).contains("\"version\" : 1", "\"\" : [",
                "\"dports\" : \"80,1000-2000\"");
    }

    @Test
    void anEmptyNamespaceIsRemovedFromTheFile() {
        NotrackState state = state();
        state.replace(NetnsTarget.parse("lab1"), List.of(RuleSpecs.udp("0a1b2c3d", 53)));

        state.replace(NetnsTarget.parse("lab1"), List.of());

        assertThat(state().all()).isEmpty();
    }

    @Test
    void aHandEditedRuleThatDoesNotValidateStopsTheStartNamingTheRuleAndTheFile() throws Exception {
        Files.writeString(temp.resolve("notrack.json"), """
                {"version": 1, "namespaces": {"": [{"id": "0a1b2c3d", "createdAt": "2026-01-01T00:00:00Z",
                  "direction": "BOTH", "family": "both", "protocol": "udp", "dports": "53; rm -rf /"}]}}
                """);

        assertThatThrownBy(this::state).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("notrack.json").hasMessageContaining("0a1b2c3d").hasMessageContaining("dports");
    }

    @Test
    void aFileThatIsNotJsonOrOfAnotherVersionStopsTheStart() throws Exception {
        Files.writeString(temp.resolve("notrack.json"), "{not json");
        assertThatThrownBy(this::state).hasMessageContaining("not valid JSON");

        Files.writeString(temp.resolve("notrack.json"), "{\"version\": 2, \"namespaces\": {}}");
        assertThatThrownBy(this::state).hasMessageContaining("version 2");
    }
}
