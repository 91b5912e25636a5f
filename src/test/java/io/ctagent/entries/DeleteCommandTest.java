package io.ctagent.entries;

import static io.ctagent.entries.EntryFilterTest.filter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.ctagent.problem.InvalidInput;

/** Each filter field maps to the conntrack -D option that means the same (checked with conntrack 1.4.7). */
class DeleteCommandTest {

    @Test
    void mapsEveryFieldToItsExactOption() {
        EntryFilter filter = filter("family", "ipv4", "protocol", "tcp", "state", "TIME_WAIT", "src", "10.0.0.0/8",
                "dst", "10.1.2.3", "replySrc", "192.168.1.1", "replyDst", "10.0.0.1", "sport", "1234", "dport", "443",
                "zone", "7", "mark", "0x2a/0xff", "status", "ASSURED,SEEN_REPLY");

        assertThat(DeleteCommand.args(filter)).containsExactly("-D", "-f", "ipv4", "-p", "tcp", "-s", "10.0.0.0/8",
                "-d", "10.1.2.3", "-r", "192.168.1.1", "-q", "10.0.0.1", "--sport", "1234", "--dport", "443",
                "--state", "TIME_WAIT", "-w", "7", "-m", "42/0xff", "-u", "SEEN_REPLY,ASSURED");
    }

    @Test
    void aStateImpliesProtocolTcpWhichConntrackNeedsFirst() {
        assertThat(DeleteCommand.args(filter("state", "ESTABLISHED")))
                .containsExactly("-D", "-p", "tcp", "--state", "ESTABLISHED");
    }

    @Test
    void unknownProtocolsGoByNumberAndKnownOnesByName() {
        assertThat(DeleteCommand.args(filter("protocol", "253"))).containsExactly("-D", "-p", "253");
        assertThat(DeleteCommand.args(filter("protocol", "17", "dport", "53")))
                .containsExactly("-D", "-p", "udp", "--dport", "53");
    }

    @Test
    void ipv6NetworksAndAddressesPassInCanonicalForm() {
        assertThat(DeleteCommand.args(filter("src", "2001:0db8:0:0::/32", "replyDst", "2001:db8::0001")))
                .containsExactly("-D", "-s", "2001:db8::/32", "-q", "2001:db8::1");
    }

    @Test
    void aZeroPrefixNetworkBecomesItsFamily() {
        assertThat(DeleteCommand.args(filter("src", "0.0.0.0/0", "protocol", "udp")))
                .containsExactly("-D", "-f", "ipv4", "-p", "udp");
        assertThat(DeleteCommand.args(filter("replySrc", "::/0"))).containsExactly("-D", "-f", "ipv6");
    }

    @Test
    void anEmptyFilterIsRefusedSoNothingWidensToTheWholeTable() {
        assertThatThrownBy(() -> DeleteCommand.args(EntryFilter.ALL))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("filter"));
    }

    @Test
    void aReplyNetworkIsRefusedBecauseConntrackMatchesOnlySingleReplyAddresses() {
        assertThatThrownBy(() -> DeleteCommand.args(filter("replySrc", "10.0.0.0/8")))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("replySrc"));
        assertThatThrownBy(() -> DeleteCommand.args(filter("replyDst", "2001:db8::/64")))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("replyDst"));
    }

    @Test
    void portsWithoutAProtocolAreRefusedBecauseConntrackNeedsOne() {
        assertThatThrownBy(() -> DeleteCommand.args(filter("dport", "53")))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("dport"));
        assertThatThrownBy(() -> DeleteCommand.args(filter("sport", "53", "src", "10.0.0.1")))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("sport"));
    }

    @Test
    void unrepliedIsRefusedBecauseConntrackCannotSelectAMissingBit() {
        assertThatThrownBy(() -> DeleteCommand.args(filter("status", "UNREPLIED", "protocol", "udp")))
                .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("status"));
    }

    @Test
    void everyArgumentIsAPlainTokenNeverClientText() {
        assertThat(DeleteCommand.args(filter("src", "10.0.0.0/8", "protocol", "UDP", "dport", "53")))
                .allMatch(arg -> arg.matches("[-A-Za-z0-9_./:]+"));
    }
}
