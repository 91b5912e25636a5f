package io.ctagent.usage;

import java.util.OptionalInt;

/** Finds the object size of the nf_conntrack slab cache in /proc/slabinfo (version 2.x). */
final class SlabInfoParser {

    private SlabInfoParser() {
    }

    /** Columns: name active_objs num_objs objsize objperslab pagesperslab : tunables ... */
    static OptionalInt conntrackObjectSize(String slabinfo) {
        for (String line : slabinfo.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 3 && fields[0].equals("nf_conntrack")) {
                try {
                    return OptionalInt.of(Integer.parseInt(fields[3]));
                } catch (NumberFormatException e) {
                    return OptionalInt.empty();
                }
            }
        }
        return OptionalInt.empty();
    }
}
