package io.ctagent.notrack;

/** A port or an ordered range of ports, 1-65535. */
record PortRange(int first, int last) {

    PortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("not an ordered port range in 1-65535: " + first + "-" + last);
        }
    }

    boolean single() {
        return first == last;
    }

    boolean overlaps(PortRange other) {
        return first <= other.last && other.first <= last;
    }

    /** 53 or 1000-2000, as the API and nft write it. */
    @Override
    public String toString() {
        return single() ? String.valueOf(first) : first + "-" + last;
    }

    /** 53 or 1000:2000, as iptables writes it. */
    String iptables() {
        return single() ? String.valueOf(first) : first + ":" + last;
    }
}
