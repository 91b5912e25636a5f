package io.ctagent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlabInfoParserTest {

    @Test
    void findsTheConntrackObjectSizeAndNotTheExpectationCache() {
        String slabinfo = """
                slabinfo - version: 2.1
                # name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>
                nf_conntrack_expect      0      0    208   19    1 : tunables    0    0    0 : slabdata      0      0      0
                nf_conntrack         512    512    256   16    1 : tunables    0    0    0 : slabdata     32     32      0
                """;

        assertThat(SlabInfoParser.conntrackObjectSize(slabinfo)).hasValue(256);
    }

    @Test
    void noConntrackCacheMeansUnknown() {
        assertThat(SlabInfoParser.conntrackObjectSize("slabinfo - version: 2.1\nkmalloc-64 1 1 64 64 1\n")).isEmpty();
    }
}
