package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.hostagent.HostMode;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.testsupport.FakeCommandRunner.Call;
import io.ctagent.problem.OperatorProblem;

/** The service on the iptables backend: the exact argv lists, against a fake command runner and kernel. */
class IptablesServiceTest {

    @TempDir
    Path temp;

    private NotrackFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.IPTABLES);
    }

    private List<List<String>> changeArgv() {
        return fixture.changes().stream().map(call -> List.of(call.argv().get(0).substring(temp.toString().length()),
                String.join(" ", call.argv().subList(1, call.argv().size())))).toList();
    }

    @Test
    void theFirstRuleCreatesTheOwnChainsAndJumpsThenAppendsOneCopyPerHookAndFamily() {
        String id = fixture.service.create(NetnsTarget.OWN,
                NotrackRequest.of(null, null, "udp", 53, null, null, null, null, null, null), false).after().id();

        String rule = " -p udp --dport 53 -m comment --comment ctagent:" + id + " -j CT --notrack";
        assertThat(changeArgv()).containsExactly(
                List.of("/bin/iptables", "-w 5 -t raw -N CTAGENT-NOTRACK-PREROUTING"),
                List.of("/bin/iptables", "-w 5 -t raw -A PREROUTING -m comment --comment ctagent:jump "
                        + "-j CTAGENT-NOTRACK-PREROUTING"),
                List.of("/bin/iptables", "-w 5 -t raw -A CTAGENT-NOTRACK-PREROUTING" + rule),
                List.of("/bin/iptables", "-w 5 -t raw -N CTAGENT-NOTRACK-OUTPUT"),
                List.of("/bin/iptables", "-w 5 -t raw -A OUTPUT -m comment --comment ctagent:jump "
                        + "-j CTAGENT-NOTRACK-OUTPUT"),
                List.of("/bin/iptables", "-w 5 -t raw -A CTAGENT-NOTRACK-OUTPUT" + rule),
                List.of("/bin/ip6tables", "-w 5 -t raw -N CTAGENT-NOTRACK-PREROUTING"),
                List.of("/bin/ip6tables", "-w 5 -t raw -A PREROUTING -m comment --comment ctagent:jump "
                        + "-j CTAGENT-NOTRACK-PREROUTING"),
                List.of("/bin/ip6tables", "-w 5 -t raw -A CTAGENT-NOTRACK-PREROUTING" + rule),
                List.of("/bin/ip6tables", "-w 5 -t raw -N CTAGENT-NOTRACK-OUTPUT"),
                List.of("/bin/ip6tables", "-w 5 -t raw -A OUTPUT -m comment --comment ctagent:jump "
                        + "-j CTAGENT-NOTRACK-OUTPUT"),
                List.of("/bin/ip6tables", "-w 5 -t raw -A CTAGENT-NOTRACK-OUTPUT" + rule));
    }

    @Test
    void laterRulesOnlyAppendAndAnIpv4RuleUsesOnlyIptables() {
        fixture.service.create(NetnsTarget.OWN, NotrackRequest.of(null, null, "udp", 53, null, null, null, null, null,
                null), false);
        fixture.runner.clear();

        NotrackChange change = fixture.service.create(NetnsTarget.OWN, NotrackRequest.of("OUTPUT", null, "tcp",
                "80,443", null, null, "eth0", "10.0.0.0/8", null, null), false);

        assertThat(changeArgv()).containsExactly(List.of("/bin/iptables", "-w 5 -t raw -A CTAGENT-NOTRACK-OUTPUT "
                + "-o eth0 -s 10.0.0.0/8 -p tcp -m multiport --dports 80,443 -m comment --comment ctagent:"
                + change.after().id() + " -j CT --notrack"));
        assertThat(change.after().kernel()).extracting(KernelRule::location)
                .containsExactly("iptables raw CTAGENT-NOTRACK-OUTPUT");
        assertThat(change.after().inKernel()).isTrue();
    }

    @Test
    void deleteRemovesTheCopiesByNumberInTheOwnChainsHighestFirst() {
        NotrackRequest first = NotrackRequest.of(null, "ipv4", "udp", 53, null, null, null, null, null, null);
        NotrackRequest second = NotrackRequest.of(null, "ipv4", "udp", 123, null, null, null, null, null, null);
        String keep = fixture.service.create(NetnsTarget.OWN, first, false).after().id();
        String gone = fixture.service.create(NetnsTarget.OWN, second, false).after().id();
        fixture.runner.clear();

        fixture.service.delete(NetnsTarget.OWN, gone, false);

        assertThat(changeArgv()).containsExactly(
                List.of("/bin/iptables", "-w 5 -t raw -D CTAGENT-NOTRACK-OUTPUT 2"),
                List.of("/bin/iptables", "-w 5 -t raw -D CTAGENT-NOTRACK-PREROUTING 2"));
        assertThat(fixture.kernel.lines.get("iptables")).allMatch(line -> line.contains("ctagent:" + keep)
                || line.contains("ctagent:jump"));
    }

    @Test
    void aFailureHalfwayUndoesTheCopiesAlreadyAddedAndKeepsTheChains() {
        fixture.runner.fail(call -> call.argv().get(0).endsWith("/ip6tables")
                        && call.has("-A", "CTAGENT-NOTRACK-OUTPUT"),
                4, "ip6tables v1.8.9 (nf_tables): RULE_APPEND failed (No such file or directory)");

        assertThatThrownBy(() -> fixture.service.create(NetnsTarget.OWN,
                NotrackRequest.of(null, null, "udp", 53, null, null, null, null, null, null), false))
                .isInstanceOfSatisfying(OperatorProblem.class,
                        problem -> assertThat(problem.getBody().getProperties()).containsKey("commands"));

        assertThat(fixture.kernel.lines.values()).allSatisfy(lines -> assertThat(lines)
                .noneMatch(line -> line.contains("--notrack")));
        assertThat(fixture.state.rules(NetnsTarget.OWN)).isEmpty();
        List<Call> deletes = fixture.runner.calls(call -> call.has("-D"));
        assertThat(deletes).hasSize(3);
    }

    @Test
    void aMissingIp6tablesIsA503BeforeAnythingRuns() throws Exception {
        NotrackFixture noIp6tables = new NotrackFixture(temp.resolve("v4only"), HostMode.DIRECT,
                NotrackProperties.BackendChoice.IPTABLES, host -> host, "iptables", "nsenter", "cat");

        assertThatThrownBy(() -> noIp6tables.service.create(NetnsTarget.OWN,
                NotrackRequest.of(null, null, "udp", 53, null, null, null, null, null, null), false))
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode().value()).isEqualTo(503);
                    assertThat(problem.getBody().getProperties()).containsEntry("tool", "ip6tables");
                });
        assertThat(noIp6tables.changes()).isEmpty();
        assertThat(noIp6tables.service.create(NetnsTarget.OWN,
                NotrackRequest.of(null, "ipv4", "udp", 53, null, null, null, null, null, null), false).applied())
                .isTrue();
    }
}
