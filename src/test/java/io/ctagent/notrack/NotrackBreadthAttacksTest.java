package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpStatus;

import io.ctagent.hostagent.HostMode;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.problem.InvalidInput;
import io.ctagent.problem.OperatorProblem;

/**
 * The shapes an operator key used to untrack nearly all traffic without force (every port, all but
 * one port, the uplink, two /1 halves with every port, slices of ports), each now refused by the
 * service with its measure and nothing sent to the kernel; and the narrow rules operators need,
 * still accepted without force. The service as wired in the agent, on a fake kernel, defaults
 * (ports at most 1024, /16, /48).
 */
class NotrackBreadthAttacksTest {

    @TempDir
    Path temp;

    private NotrackFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.NFTABLES);
    }

    private static NotrackRequest request(String direction, String protocol, String dports, String sports,
                                          String iif, String src, boolean force) {
        return new NotrackRequest(direction, null, protocol, dports, sports, iif, null, src, null, null, null, force,
                null);
    }

    /** Refused for an operator without force (400 naming force, with the measure), and with force (403). */
    private void refused(NotrackRequest request, String measure, String... detail) {
        int changes = fixture.changes().size();
        assertThatThrownBy(() -> fixture.service.create(NetnsTarget.OWN, request, false)).as("%s", request)
                .isInstanceOfSatisfying(InvalidInput.class, invalid -> {
                    assertThat(invalid.field()).isEqualTo("force");
                    assertThat(invalid.getBody().getProperties()).containsEntry("measure", measure);
                    assertThat(invalid.getBody().getDetail()).contains(detail);
                });
        NotrackRequest forced = new NotrackRequest(request.direction(), null, request.protocol(), request.dports(),
                request.sports(), request.iif(), null, request.src(), null, null, null, true, null);
        assertThatThrownBy(() -> fixture.service.create(NetnsTarget.OWN, forced, false)).as("%s", forced)
                .isInstanceOfSatisfying(OperatorProblem.class, problem -> {
                    assertThat(problem.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
                    assertThat(problem.getBody().getProperties()).containsEntry("measure", measure);
                });
        assertThat(fixture.changes()).as("nothing sent to the kernel for %s", request).hasSize(changes);
    }

    private void accepted(NotrackRequest request) {
        assertThat(fixture.service.create(NetnsTarget.OWN, request, false).applied()).as("%s", request).isTrue();
    }

    @Test
    void everyTcpPortBothWays() {
        refused(request(null, "tcp", "1-65535", "1-65535", null, null, false), "breadth",
                "dports 1-65535 names 65535 ports", "sports 1-65535 names 65535 ports",
                "Narrow it with dports of at most 1024 ports or sports of at most 16");
    }

    @Test
    void allButOnePort() {
        refused(request(null, "tcp", "2-65535", null, null, null, false), "breadth", "dports 2-65535 names 65534");
    }

    @Test
    void everyUdpPortBothWays() {
        refused(request(null, "udp", "1-65535", "1-65535", null, null, false), "breadth", "udp");
    }

    @Test
    void twoSlash1HalvesWithEveryPortEvenWhenAnAdminForcedOneIn() {
        refused(request(null, "tcp", "1-65535", null, null, "0.0.0.0/1", false), "breadth", "0.0.0.0/1 is a /1");
        assertThat(fixture.service.create(NetnsTarget.OWN, request(null, "tcp", "1-65535", null, null, "0.0.0.0/1",
                true), true).applied()).as("an admin with force").isTrue();
        refused(request(null, "tcp", "1-65535", null, null, "128.0.0.0/1", false), "breadth", "128.0.0.0/1 is a /1");
    }

    @Test
    void everythingArrivingOnTheUplink() {
        refused(request("PREROUTING", null, null, null, "eth0", null, false), "breadth",
                "interface eth0 is not lo", "iif or oif lo");
    }

    @Test
    void slicesOfPortsThatNeverCompleteEveryPort() {
        accepted(request(null, "tcp", "1-1024", null, null, null, false));
        refused(request(null, "tcp", "1025-2048", null, null, null, false), "set-coverage",
                "brings them to 2048 ports", "more than the 1024 ports (ctagent.notrack.max-ports)");
        refused(request(null, "tcp", "1025", null, null, null, false), "set-coverage", "1025 ports");
    }

    @Test
    void rulesNarrowedByTwoFieldsStopAtTheRuleCount() {
        // Each names 1024 destination and 16 source ports: narrow by both, so they never add up; enough of
        // them would be every TCP packet. The namespace takes 64 (ctagent.notrack.max-rules) without force.
        for (int i = 0; i < 64; i++) {
            int first = 1 + (i % 8) * 1024;
            int source = 1 + (i / 8) * 16;
            accepted(request(null, "tcp", first + "-" + (first + 1023), source + "-" + (source + 15), null, null,
                    false));
        }
        refused(request(null, "tcp", "8193-9216", "1-16", null, null, false), "rule-count",
                "holds 64 agent rules", "ctagent.notrack.max-rules");
    }

    @Test
    void theNarrowRulesOperatorsNeedStillPassWithoutForce() {
        accepted(request(null, "udp", "53", null, null, null, false));
        accepted(request(null, "tcp", "8000-8999", null, null, null, false));
        accepted(request(null, "tcp", "1-65535", null, null, "10.1.0.0/16", false));
        accepted(request("PREROUTING", null, null, null, "lo", null, false));
        accepted(request(null, "udp", "123", null, null, null, false));
        accepted(request(null, "udp", "5353", null, null, null, false));
        assertThat(fixture.state.rules(NetnsTarget.OWN)).hasSize(6);
    }
}
