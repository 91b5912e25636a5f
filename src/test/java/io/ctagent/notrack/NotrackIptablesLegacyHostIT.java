package io.ctagent.notrack;

import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ctagent.testsupport.LabNamespace;

/**
 * The iptables backend on a real kernel through iptables-legacy: the agent is given a tool path
 * where `iptables` and `ip6tables` are the legacy binaries (as on a host whose alternatives
 * point there).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ctagent.notrack.backend=iptables")
class NotrackIptablesLegacyHostIT extends NotrackHostITSupport {

    @BeforeAll
    static void legacyAvailable() {
        IptablesLegacy.require();
    }

    @DynamicPropertySource
    static void legacyToolPath(DynamicPropertyRegistry registry) {
        registry.add("ctagent.host.tool-path", IptablesLegacy::toolPath);
    }

    @Override
    void placeForeignRule(LabNamespace lab) {
        lab.exec("iptables-legacy", "-t", "raw", "-A", "PREROUTING", "-p", "tcp", "--dport", "9999", "-m", "comment",
                "--comment", "not the agent's", "-j", "CT", "--notrack");
    }

    @Override
    String foreignRules(LabNamespace lab) {
        return IptablesLegacy.withoutAgentLines(lab.exec("iptables-legacy", "-t", "raw", "-S"));
    }

    @Override
    String agentRules(LabNamespace lab) {
        return lab.exec("iptables-legacy", "-t", "raw", "-S") + lab.exec("ip6tables-legacy", "-t", "raw", "-S");
    }

    /** A firewall reload: flush and delete the raw table's chains (nft flush does not reach legacy tables). */
    @Override
    void wipeAgentRules(LabNamespace lab) {
        for (String binary : new String[] {"iptables-legacy", "ip6tables-legacy"}) {
            lab.exec(binary, "-t", "raw", "-F");
            lab.exec(binary, "-t", "raw", "-X");
        }
    }
}
