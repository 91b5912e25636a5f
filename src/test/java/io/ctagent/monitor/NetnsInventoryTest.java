package io.ctagent.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NetnsInventoryTest {

    @Test
    void containerIdComesFromKubernetesAndDockerCgroupPaths() {
        String id = "3f1a9c0d2b4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";

        assertThat(NetnsInventory.containerId("0::/kubepods.slice/kubepods-besteffort.slice/"
                + "kubepods-besteffort-pod1234.slice/cri-containerd-" + id + ".scope\n")).isEqualTo(id);
        assertThat(NetnsInventory.containerId("0::/system.slice/docker-" + id + ".scope\n")).isEqualTo(id);
        assertThat(NetnsInventory.containerId("12:pids:/docker/" + id + "\n")).isEqualTo(id);
    }

    @Test
    void aHostProcessHasNoContainerId() {
        assertThat(NetnsInventory.containerId("0::/system.slice/sshd.service\n")).isNull();
    }
}
