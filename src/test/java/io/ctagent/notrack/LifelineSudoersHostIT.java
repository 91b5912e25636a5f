package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.hostagent.HostMode;
import io.ctagent.testsupport.FakeCommandRunner;
import io.ctagent.testsupport.HostPrerequisites;
import io.ctagent.testsupport.SudoersPolicy;

/**
 * Sudo mode with the iptables backend: every command the lifeline plans (its chains, jumps and rules, the
 * arriving one with {@code -m addrtype --dst-type LOCAL}) is allowed by the shipped sudoers file, with and
 * without server.address (IPv4 and IPv6), for one port and for two; the local match anywhere else is not.
 */
class LifelineSudoersHostIT {

    @TempDir
    Path temp;

    @BeforeAll
    static void prerequisites() {
        HostPrerequisites.require("sudo", "unshare", "mount", "iptables", "ip6tables", "nsenter");
    }

    @Test
    void everyCommandOfTheLifelineIsAllowed() throws Exception {
        SudoersPolicy policy = SudoersPolicy.in(temp.resolve("policy"));
        List<List<String>> commands = new ArrayList<>();
        for (String address : List.of("", "192.0.2.7", "2001:db8::7")) {
            NotrackFixture fixture = new NotrackFixture(temp.resolve("agent" + commands.size()), HostMode.SUDO,
                    NotrackProperties.BackendChoice.IPTABLES);
            assertThat(LifelineTest.lifeline(fixture, address).listeningOn(9105).installed()).isTrue();
            for (FakeCommandRunner.Call call : fixture.changes()) {
                assertThat(call.argv().get(0)).as("run through sudo").endsWith("/sudo");
                String binary = call.argv().stream().anyMatch(arg -> arg.endsWith("/ip6tables")) ? "ip6tables"
                        : "iptables";
                List<String> real = new ArrayList<>(List.of(HostPrerequisites.which(binary)));
                real.addAll(call.toolArgs(binary));
                commands.add(real);
            }
        }

        // With management.server.port too: both ports in one rule, as the lifeline renders it.
        for (String address : List.of("", "192.0.2.7")) {
            List<String> both = new ArrayList<>(List.of(HostPrerequisites.which("iptables")));
            both.addAll(IptablesRules.append(RuleSpecs.localTcp(address.isEmpty() ? null : address, 9105, 9107),
                    Hook.PREROUTING, "ctagent:lifeline"));
            commands.add(both);
        }

        assertThat(commands).filteredOn(command -> command.contains("addrtype"))
                .anyMatch(command -> command.contains("--dport"))
                .anyMatch(command -> command.contains("--dports"))
                .anyMatch(command -> command.contains("-d") && command.get(0).endsWith("/ip6tables"));
        for (List<String> command : commands) {
            assertThat(policy.allows(command)).as(String.join(" ", command)).isTrue();
        }
    }

    @Test
    void theLocalMatchIsAllowedOnlyInTheLifelinesArrivingRule() throws Exception {
        SudoersPolicy policy = SudoersPolicy.in(temp.resolve("policy"));
        String iptables = HostPrerequisites.which("iptables");
        List<String> raw = List.of(iptables, "-w", "5", "-t", "raw", "-A");
        List<String> local = List.of("-m", "addrtype", "--dst-type", "LOCAL");
        List<String> lifeline = List.of("-m", "comment", "--comment", "ctagent:lifeline", "-j", "CT", "--notrack");

        assertThat(policy.allows(join(raw, List.of("CTAGENT-NOTRACK-PREROUTING", "-p", "tcp", "--dport", "9105"),
                local, lifeline))).isTrue();
        for (List<String> command : List.of(
                join(raw, List.of("CTAGENT-NOTRACK-PREROUTING", "-p", "tcp", "--dport", "9105"), local,
                        List.of("-m", "comment", "--comment", "ctagent:0a1b2c3d", "-j", "CT", "--notrack")),
                join(raw, List.of("CTAGENT-NOTRACK-OUTPUT", "-p", "tcp", "--dport", "9105"), local, lifeline),
                join(raw, List.of("CTAGENT-NOTRACK-PREROUTING", "-p", "udp", "--dport", "53"), local, lifeline),
                join(raw, List.of("CTAGENT-NOTRACK-PREROUTING", "-i", "eth0", "-p", "tcp", "--dport", "9105"), local,
                        lifeline),
                join(raw, List.of("CTAGENT-NOTRACK-PREROUTING", "-s", "10.0.0.0/8", "-p", "tcp", "--dport", "9105"),
                        local, lifeline),
                join(raw, List.of("CTAGENT-NOTRACK-PREROUTING", "-p", "tcp", "--dport", "1:65535"), local, lifeline),
                join(raw, List.of("CTAGENT-NOTRACK-PREROUTING"), local, lifeline),
                join(raw, List.of("CTAGENT-NOTRACK-PREROUTING", "-p", "tcp", "--dport", "9105", "-m", "addrtype",
                        "--dst-type", "UNICAST"), lifeline),
                join(raw, List.of("CTAGENT-NOTRACK-PREROUTING", "-p", "tcp", "--dport", "9105", "-m", "addrtype",
                        "--src-type", "LOCAL"), lifeline),
                join(List.of(HostPrerequisites.which("nsenter"), "--net=/run/netns/ctlab-1", "--"), raw,
                        List.of("CTAGENT-NOTRACK-PREROUTING", "-p", "tcp", "--dport", "9105"), local, lifeline))) {
            assertThat(policy.allows(command)).as(String.join(" ", command)).isFalse();
        }
    }

    @SafeVarargs
    private static List<String> join(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }
}
