package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A set of ports: sorted, with overlapping or adjacent ranges merged (nft refuses overlapping
 * intervals in one set, and a canonical form makes identical rules compare equal).
 */
record Ports(List<PortRange> ranges) {

    Ports {
        ranges = merge(ranges);
    }

    static Ports of(PortRange... ranges) {
        return new Ports(List.of(ranges));
    }

    /** One port or one range: no set or multiport needed. */
    boolean singleRange() {
        return ranges.size() == 1;
    }

    /** How many slots iptables' multiport match needs (a range takes two; at most 15). */
    int multiportSlots() {
        return ranges.stream().mapToInt(range -> range.single() ? 1 : 2).sum();
    }

    /** How many ports the set names: 53,1000-2000 is 1002. */
    int count() {
        return ranges.stream().mapToInt(range -> range.last() - range.first() + 1).sum();
    }

    boolean overlaps(Ports other) {
        return ranges.stream().anyMatch(mine -> other.ranges.stream().anyMatch(mine::overlaps));
    }

    /** 53 or 1000-2000 or { 53, 1000-2000 }. */
    String nft() {
        String joined = ranges.stream().map(PortRange::toString).collect(Collectors.joining(", "));
        return singleRange() ? joined : "{ " + joined + " }";
    }

    /** 53 or 1000:2000 or 53,1000:2000 (the last for multiport). */
    String iptables() {
        return ranges.stream().map(PortRange::iptables).collect(Collectors.joining(","));
    }

    /** 53,1000-2000: how the API shows it. */
    @Override
    public String toString() {
        return ranges.stream().map(PortRange::toString).collect(Collectors.joining(","));
    }

    private static List<PortRange> merge(List<PortRange> input) {
        if (input.isEmpty()) {
            throw new IllegalArgumentException("no ports");
        }
        List<PortRange> sorted = new ArrayList<>(input);
        sorted.sort(Comparator.comparingInt(PortRange::first));
        List<PortRange> merged = new ArrayList<>();
        PortRange current = sorted.get(0);
        for (PortRange next : sorted.subList(1, sorted.size())) {
            if (next.first() <= current.last() + 1) {
                current = new PortRange(current.first(), Math.max(current.last(), next.last()));
            } else {
                merged.add(current);
                current = next;
            }
        }
        merged.add(current);
        return List.copyOf(merged);
    }
}
