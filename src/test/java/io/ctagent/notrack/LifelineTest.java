package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.hostagent.AgentLifeline;
import io.ctagent.hostagent.HostMode;
import io.ctagent.hostagent.HostWriter;
import io.ctagent.hostagent.MutationLock;
import io.ctagent.testsupport.TestPipeline;

/** The lifeline against the fake kernel: what it installs, and when it installs nothing. */
class LifelineTest {

    @TempDir
    Path temp;

    static Lifeline lifeline(NotrackFixture fixture) {
        return lifeline(fixture, "127.0.0.1");
    }

    static Lifeline lifeline(NotrackFixture fixture, String serverAddress) {
        return new Lifeline(fixture.host, fixture.backend, new PlanRunner(fixture.host, new MutationLock()),
                TestPipeline.of(fixture.auditLog, new HostWriter(fixture.host, fixture.runner)),
                new NamespaceRules(fixture.host, new IptablesTables(fixture.host)), new LifelineProperties(true),
                fixture.events::add, NotrackFixture.CLOCK, serverAddress);
    }

    private NotrackFixture fixture(HostMode mode) {
        return new NotrackFixture(temp, mode, NotrackProperties.BackendChoice.NFTABLES, "nft", "nsenter", "cat",
                "sudo");
    }

    @Test
    void installsOneTaggedRuleForTheListeningPortAuditedAsSystem() throws Exception {
        NotrackFixture fixture = fixture(HostMode.DIRECT);

        AgentLifeline.LifelineStatus status = lifeline(fixture).listeningOn(8080);

        assertThat(status.installed()).as(status.reason()).isTrue();
        assertThat(status.ports()).containsExactly(8080);
        assertThat(fixture.changes()).hasSize(1);
        assertThat(fixture.changes().get(0).stdin()).contains(
                "add rule inet conntrack_agent prerouting ip daddr 127.0.0.1/32 tcp dport 8080 fib daddr type local "
                        + "counter notrack comment \"ctagent:lifeline\"",
                "add rule inet conntrack_agent output oifname \"lo\" ip daddr 127.0.0.1/32 tcp dport 8080",
                "add rule inet conntrack_agent output ip saddr 127.0.0.1/32 tcp sport 8080");
        assertThat(Files.readString(fixture.auditFile)).contains("\"action\":\"notrack.lifeline.add\"",
                "\"actor\":\"system\"");
        assertThat(fixture.events).anyMatch(event -> event instanceof LifelineChanged changed && changed.installed());
    }

    @Test
    void withoutServerAddressArrivingPacketsAreExemptOnlyWhenAddressedToThisHost() {
        NotrackFixture fixture = fixture(HostMode.DIRECT);

        AgentLifeline.LifelineStatus status = lifeline(fixture, "").listeningOn(8080);

        assertThat(status.installed()).as(status.reason()).isTrue();
        String script = fixture.changes().get(0).stdin();
        assertThat(script).contains(
                "add rule inet conntrack_agent prerouting tcp dport 8080 fib daddr type local counter notrack "
                        + "comment \"ctagent:lifeline\"",
                "add rule inet conntrack_agent output oifname \"lo\" tcp dport 8080 counter notrack",
                "add rule inet conntrack_agent output tcp sport 8080 counter notrack");
        // Output sees only what this host sends itself: no route lookup there.
        assertThat(script.lines().filter(line -> line.contains("fib"))).hasSize(1);
    }

    @Test
    void withIptablesTheArrivingCopiesOfBothFamiliesMatchOnlyLocalDestinations() {
        NotrackFixture fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.IPTABLES);
        Lifeline lifeline = lifeline(fixture, "");

        AgentLifeline.LifelineStatus status = lifeline.listeningOn(8080);

        assertThat(status.installed()).as(status.reason()).isTrue();
        assertThat(fixture.changes()).filteredOn(call -> call.argv().contains("ctagent:lifeline"))
                .extracting(call -> String.join(" ", call.argv().subList(1, call.argv().size())))
                .containsExactlyInAnyOrder(
                        "-w 5 -t raw -A CTAGENT-NOTRACK-PREROUTING -p tcp --dport 8080 -m addrtype --dst-type LOCAL "
                                + "-m comment --comment ctagent:lifeline -j CT --notrack",
                        "-w 5 -t raw -A CTAGENT-NOTRACK-PREROUTING -p tcp --dport 8080 -m addrtype --dst-type LOCAL "
                                + "-m comment --comment ctagent:lifeline -j CT --notrack",
                        "-w 5 -t raw -A CTAGENT-NOTRACK-OUTPUT -o lo -p tcp --dport 8080 -m comment --comment "
                                + "ctagent:lifeline -j CT --notrack",
                        "-w 5 -t raw -A CTAGENT-NOTRACK-OUTPUT -o lo -p tcp --dport 8080 -m comment --comment "
                                + "ctagent:lifeline -j CT --notrack",
                        "-w 5 -t raw -A CTAGENT-NOTRACK-OUTPUT -p tcp --sport 8080 -m comment --comment "
                                + "ctagent:lifeline -j CT --notrack",
                        "-w 5 -t raw -A CTAGENT-NOTRACK-OUTPUT -p tcp --sport 8080 -m comment --comment "
                                + "ctagent:lifeline -j CT --notrack");
        int installing = fixture.changes().size();
        assertThat(lifeline.ensure().installed()).isTrue();
        assertThat(fixture.changes()).as("read back from the listing: in force, nothing to change").hasSize(installing);
    }

    @Test
    void aLifelineForAnyDestinationLeftByAnOlderAgentIsReplaced() {
        NotrackFixture fixture = fixture(HostMode.DIRECT);
        // What an agent before the local match left behind when it was killed instead of stopped.
        fixture.kernel.nftTable = true;
        fixture.kernel.nft.add(new FakeKernel.NftRule("prerouting", 101, "ctagent:lifeline",
                "add rule inet conntrack_agent prerouting tcp dport 8080 counter notrack comment \"ctagent:lifeline\""));
        fixture.kernel.nft.add(new FakeKernel.NftRule("output", 102, "ctagent:lifeline",
                "add rule inet conntrack_agent output oifname \"lo\" tcp dport 8080 counter notrack comment "
                        + "\"ctagent:lifeline\""));
        fixture.kernel.nft.add(new FakeKernel.NftRule("output", 103, "ctagent:lifeline",
                "add rule inet conntrack_agent output tcp sport 8080 counter notrack comment \"ctagent:lifeline\""));
        Lifeline lifeline = lifeline(fixture, "");

        AgentLifeline.LifelineStatus status = lifeline.listeningOn(8080);

        assertThat(status.installed()).as(status.reason()).isTrue();
        assertThat(fixture.changes()).hasSize(2);
        assertThat(fixture.changes().get(0).stdin()).contains("delete rule inet conntrack_agent prerouting handle 101",
                "output handle 102", "output handle 103");
        assertThat(fixture.changes().get(1).stdin()).contains(
                "prerouting tcp dport 8080 fib daddr type local counter notrack");
        assertThat(fixture.kernel.nft).hasSize(3).filteredOn(rule -> rule.chain().equals("prerouting"))
                .singleElement().satisfies(rule -> assertThat(rule.text()).contains("fib daddr type local"));
        assertThat(lifeline.ensure().installed()).isTrue();
        assertThat(fixture.changes()).hasSize(2);
    }

    @Test
    void aSecondReconcileFindsItInPlaceAndChangesNothing() {
        NotrackFixture fixture = fixture(HostMode.DIRECT);
        Lifeline lifeline = lifeline(fixture);
        lifeline.listeningOn(8080);

        AgentLifeline.LifelineStatus again = lifeline.ensure();

        assertThat(again.installed()).isTrue();
        assertThat(fixture.changes()).hasSize(1);
    }

    @Test
    void aPortThatStartsListingLaterIsAddedToTheRule() {
        NotrackFixture fixture = fixture(HostMode.DIRECT);
        Lifeline lifeline = lifeline(fixture);
        lifeline.listeningOn(8080);

        // The management server (management.server.port) starts after the main one.
        AgentLifeline.LifelineStatus both = lifeline.listeningOn(9090);

        assertThat(both.installed()).as(both.reason()).isTrue();
        assertThat(both.ports()).containsExactly(8080, 9090);
        // The one-port copies go, the two-port ones come.
        assertThat(fixture.changes()).hasSize(3);
        assertThat(fixture.changes().get(1).stdin()).contains("delete rule inet conntrack_agent prerouting handle");
        assertThat(fixture.changes().get(2).stdin()).contains("tcp dport { 8080, 9090 } fib daddr type local");
        assertThat(lifeline.ensure().installed()).isTrue();
        assertThat(fixture.changes()).as("in force from then on").hasSize(3);
    }

    @Test
    void aDnatRuleOnThePortRefusesItAndSaysWhy() {
        NotrackFixture fixture = fixture(HostMode.DIRECT);
        fixture.kernel.natRuleset = """
                table ip nat {
                	chain prerouting {
                		type nat hook prerouting priority dstnat; policy accept;
                		tcp dport 8080 dnat to 10.0.0.2:80 # handle 4
                	}
                }
                """;

        AgentLifeline.LifelineStatus status = lifeline(fixture).listeningOn(8080);

        assertThat(status.installed()).isFalse();
        assertThat(status.reason()).contains("DNAT/REDIRECT", "8080");
        assertThat(fixture.changes()).isEmpty();
        assertThat(fixture.events).anyMatch(event -> event instanceof LifelineChanged changed
                && !changed.installed() && changed.reason().contains("DNAT"));
    }

    @Test
    void inDryRunModeNothingIsInstalledAndTheReasonSaysSo() {
        NotrackFixture fixture = fixture(HostMode.DRY_RUN);

        AgentLifeline.LifelineStatus status = lifeline(fixture).listeningOn(8080);

        assertThat(status.installed()).isFalse();
        assertThat(status.reason()).contains("dry-run");
        assertThat(fixture.changes()).isEmpty();
    }

    @Test
    void aGracefulStopRemovesIt() {
        NotrackFixture fixture = fixture(HostMode.DIRECT);
        Lifeline lifeline = lifeline(fixture);
        lifeline.listeningOn(8080);

        lifeline.destroy();

        assertThat(fixture.kernel.nft).noneMatch(rule -> rule.comment().equals("ctagent:lifeline"));
    }
}
