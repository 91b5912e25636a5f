package io.ctagent.hostagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpStatus;

import io.ctagent.problem.OperatorProblem;

class StateFilesTest {

    @TempDir
    Path temp;

    private final StateFiles files = new StateFiles();

    @Test
    void aMissingStateFileIsEmpty() {
        assertThat(files.read(temp.resolve("notrack.json"))).isEmpty();
    }

    @Test
    void writeCreatesTheDirectoryAndReplacesTheFileWholeWithOwnerOnlyAccess() throws Exception {
        Path file = temp.resolve("var/lib/conntrack-agent/notrack.json");

        files.write(file, "{\"a\":1}");
        files.write(file, "{\"b\":2}");

        assertThat(files.read(file)).hasValue("{\"b\":2}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var left = Files.list(file.getParent())) {
            assertThat(left).as("no temp file is left behind").containsExactly(file);
        }
    }

    @Test
    void anUnwritableLocationIsA503SayingWhichFile() throws Exception {
        Path blocker = temp.resolve("not-a-dir");
        Files.writeString(blocker, "x");

        assertThatThrownBy(() -> files.write(blocker.resolve("notrack.json"), "{}"))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(problem.getBody().getDetail()).contains("notrack.json");
                });
    }
}
