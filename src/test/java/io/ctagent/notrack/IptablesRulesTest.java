package io.ctagent.notrack;

import static io.ctagent.notrack.RuleSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IptablesRulesTest {

    @Test
    void aRuleIsAppendedToTheOwnChainWithTheTagAndCtNotrack() {
        assertThat(IptablesRules.append(spec(null, null, "udp", 53, null, null, null, null, null), Hook.OUTPUT,
                "ctagent:0a1b2c3d")).containsExactly("-w", "5", "-t", "raw", "-A", "CTAGENT-NOTRACK-OUTPUT",
                "-p", "udp", "--dport", "53", "-m", "comment", "--comment", "ctagent:0a1b2c3d",
                "-j", "CT", "--notrack");
    }

    @Test
    void everyMatchBecomesItsOwnArgumentsWithMultiportForLists() {
        assertThat(IptablesRules.append(spec("PREROUTING", null, "tcp", "443,8443,9000-9100", "1024-65535", "cali+",
                null, "10.0.0.0/8", "192.168.1.10"), Hook.PREROUTING, "ctagent:00000001")).containsExactly(
                "-w", "5", "-t", "raw", "-A", "CTAGENT-NOTRACK-PREROUTING", "-i", "cali+", "-s", "10.0.0.0/8",
                "-d", "192.168.1.10/32", "-p", "tcp", "--sport", "1024:65535",
                "-m", "multiport", "--dports", "443,8443,9000:9100",
                "-m", "comment", "--comment", "ctagent:00000001", "-j", "CT", "--notrack");
    }

    @Test
    void onlyPacketsAddressedToThisHostAreMatchedByAddrtypeLocalAfterThePorts() {
        assertThat(IptablesRules.append(RuleSpecs.localTcp(null, 9105), Hook.PREROUTING, "ctagent:lifeline"))
                .containsExactly("-w", "5", "-t", "raw", "-A", "CTAGENT-NOTRACK-PREROUTING", "-p", "tcp",
                        "--dport", "9105", "-m", "addrtype", "--dst-type", "LOCAL", "-m", "comment", "--comment",
                        "ctagent:lifeline", "-j", "CT", "--notrack");
        assertThat(IptablesRules.append(RuleSpecs.localTcp("192.0.2.7", 9105, 9107), Hook.PREROUTING,
                "ctagent:lifeline")).containsExactly("-w", "5", "-t", "raw", "-A", "CTAGENT-NOTRACK-PREROUTING",
                "-d", "192.0.2.7/32", "-p", "tcp", "-m", "multiport", "--dports", "9105,9107", "-m", "addrtype",
                "--dst-type", "LOCAL", "-m", "comment", "--comment", "ctagent:lifeline", "-j", "CT", "--notrack");
        assertThat(IptablesRules.append(spec("PREROUTING", null, "tcp", 9105, null, null, null, null, null),
                Hook.PREROUTING, "ctagent:0a1b2c3d")).doesNotContain("addrtype");
    }

    @Test
    void theOwnChainIsCreatedAndJumpedToByOneAppendedRule() {
        assertThat(IptablesRules.createChain(Hook.PREROUTING))
                .containsExactly("-w", "5", "-t", "raw", "-N", "CTAGENT-NOTRACK-PREROUTING");
        assertThat(IptablesRules.jump(Hook.OUTPUT)).containsExactly("-w", "5", "-t", "raw", "-A", "OUTPUT",
                "-m", "comment", "--comment", "ctagent:jump", "-j", "CTAGENT-NOTRACK-OUTPUT");
    }

    @Test
    void deletingIsOnlyPossibleInsideTheOwnChains() {
        assertThat(IptablesRules.deleteAt("CTAGENT-NOTRACK-OUTPUT", 2))
                .containsExactly("-w", "5", "-t", "raw", "-D", "CTAGENT-NOTRACK-OUTPUT", "2");
        assertThatThrownBy(() -> IptablesRules.deleteAt("PREROUTING", 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
