package io.ctagent.notrack;

import org.springframework.boot.test.context.SpringBootTest;

import io.ctagent.testsupport.LabNamespace;

/**
 * The iptables backend on a real kernel with the host's own iptables and ip6tables (on this
 * test host the nf_tables variant; {@link NotrackIptablesLegacyHostIT} covers legacy).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ctagent.notrack.backend=iptables")
class NotrackIptablesHostIT extends NotrackHostITSupport {

    @Override
    void placeForeignRule(LabNamespace lab) {
        lab.exec("iptables", "-t", "raw", "-A", "PREROUTING", "-p", "tcp", "--dport", "9999", "-m", "comment",
                "--comment", "not the agent's", "-j", "CT", "--notrack");
    }

    @Override
    String foreignRules(LabNamespace lab) {
        return IptablesLegacy.withoutAgentLines(lab.exec("iptables", "-t", "raw", "-S"));
    }

    @Override
    String agentRules(LabNamespace lab) {
        return lab.exec("iptables", "-t", "raw", "-S") + lab.exec("ip6tables", "-t", "raw", "-S");
    }

    @Override
    void wipeAgentRules(LabNamespace lab) {
        lab.exec("nft", "flush", "ruleset");
    }
}
