package io.ctagent.hashsize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManagedModprobeCheckTest {

    @Test
    void whatTheAgentWritesPasses() {
        String first = ModprobeOptions.withHashsize("", 262144);
        String second = ModprobeOptions.withHashsize(first, 65536);

        assertThat(ManagedModprobeCheck.check(first)).isEqualTo(first);
        assertThat(ManagedModprobeCheck.check(second)).isEqualTo(second);
        assertThat(ManagedModprobeCheck.check("")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "install nft_osf /bin/sh -c \"touch /tmp/pwned\"\n",
            "options nf_conntrack hashsize=1\ninstall nf_conntrack /bin/sh\n",
            "softdep nf_conntrack pre: evil\n",
            "options nf_conntrack hashsize=1 expect_hashsize=2\n",
            "options nf_conntrack hashsize=x\n",
            "options other hashsize=1\n",
            "# comment \\\ninstall nft_osf /bin/sh\n",
            "options nf_conntrack hashsize=1 \\\n",
            "blacklist nf_conntrack\n"})
    void anythingButTheHashsizeIsRefused(String content) {
        assertThatThrownBy(() -> ManagedModprobeCheck.check(content)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line");
    }
}
