package io.ctagent.notrack;

import org.springframework.boot.test.context.SpringBootTest;

import io.ctagent.testsupport.LabNamespace;

/** The nftables backend on a real kernel: the agent's table `inet conntrack_agent`. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ctagent.notrack.backend=nftables")
class NotrackNftablesHostIT extends NotrackHostITSupport {

    @Override
    void placeForeignRule(LabNamespace lab) {
        lab.exec("iptables", "-t", "raw", "-A", "PREROUTING", "-p", "tcp", "--dport", "9999", "-m", "comment",
                "--comment", "not the agent's", "-j", "CT", "--notrack");
        lab.exec("nft", "add", "table", "ip", "foreign_raw");
        lab.exec("nft", "add", "chain", "ip", "foreign_raw", "prerouting",
                "{ type filter hook prerouting priority raw; policy accept; }");
        lab.exec("nft", "add", "rule", "ip", "foreign_raw", "prerouting", "tcp", "dport", "9998", "notrack");
    }

    @Override
    String foreignRules(LabNamespace lab) {
        return lab.exec("iptables", "-t", "raw", "-S") + lab.exec("nft", "list", "table", "ip", "foreign_raw");
    }

    @Override
    String agentRules(LabNamespace lab) {
        try {
            return lab.exec("nft", "list", "table", "inet", NftScript.TABLE);
        } catch (IllegalStateException noTable) {
            return "";
        }
    }

    @Override
    void wipeAgentRules(LabNamespace lab) {
        lab.exec("nft", "flush", "ruleset");
    }
}
