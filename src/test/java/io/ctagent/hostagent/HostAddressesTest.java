package io.ctagent.hostagent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostAddressesTest {

    @Test
    void theInetAndInet6AddressesOfIpOAddrAreTheHostsOwnWithoutPrefixLengths() {
        String output = """
                1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
                1: lo    inet6 ::1/128 scope host noprefixroute \\       valid_lft forever preferred_lft forever
                2: eth0    inet 192.0.2.10/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever
                2: eth0    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff
                """;

        assertThat(HostAddresses.parse(output)).containsExactlyInAnyOrder("127.0.0.1", "::1", "192.0.2.10");
    }

    @Test
    void nothingListedIsNoAddress() {
        assertThat(HostAddresses.parse("")).isEmpty();
    }
}
