package io.ctagent.notrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ctagent.hostagent.HostMode;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.Tool;

/** Listing must not create tables: iptables-legacy instantiates a table (nat: with its hooks) by listing it. */
class IptablesTablesTest {

    @TempDir
    Path temp;

    @Test
    void withLegacyBinariesOnlyTablesTheKernelAlreadyHasAreListed() throws Exception {
        NotrackFixture fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.IPTABLES);
        fixture.runner.answer(call -> call.has("--version"), "iptables v1.8.9 (legacy)");
        Files.createDirectories(temp.resolve("proc/net"));
        Files.writeString(temp.resolve("proc/net/ip_tables_names"), "filter\nraw\n");
        IptablesTables tables = new IptablesTables(fixture.host);

        assertThat(tables.mayList(NetnsTarget.OWN, Tool.IPTABLES, "raw")).isTrue();
        assertThat(tables.mayList(NetnsTarget.OWN, Tool.IPTABLES, "nat")).isFalse();
        assertThat(tables.mayList(NetnsTarget.OWN, Tool.IP6TABLES, "raw")).as("no ip6_tables_names").isFalse();

        new NamespaceRules(fixture.host, tables).survey(NetnsTarget.OWN);
        assertThat(fixture.runner.calls(call -> call.has("nat"))).isEmpty();
        assertThat(fixture.runner.calls(call -> call.has("raw"))).hasSize(1);
    }

    @Test
    void withNfTablesBinariesListingIsFreeOfSideEffectsAndAlwaysAllowed() {
        NotrackFixture fixture = new NotrackFixture(temp, HostMode.DIRECT, NotrackProperties.BackendChoice.IPTABLES);
        IptablesTables tables = new IptablesTables(fixture.host);

        assertThat(tables.mayList(NetnsTarget.OWN, Tool.IPTABLES, "nat")).isTrue();
        assertThat(tables.mayList(NetnsTarget.OWN, Tool.IP6TABLES, "raw")).isTrue();
    }
}
