package io.ctagent.notrack;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import io.ctagent.net.Family;
import io.ctagent.net.IpAddress;
import io.ctagent.notrack.RuleBreadth.Field;

/**
 * Breadth of the set: how much a new rule, together with the namespace's existing agent rules of
 * the same direction, family and protocol, exempts. Rules narrowed by the same one field (src, dst,
 * dports or sports; see {@link RuleBreadth}) add up, and together they may exempt at most
 * {@code maxPorts} ports, or 16 blocks of the minimum prefix of addresses (16 /16s for IPv4, 16
 * /48s for IPv6), and never every port or address: slices such as dports 1-1024, 1025-2048, ...
 * leaving one port out are as broad together as one rule for all. A field that does not narrow
 * (an uplink interface, a /1) does not keep a rule out of the sum.
 */
record RuleSetCoverage(RuleBreadth breadth) {

    /** How many blocks of the minimum prefix rules narrowed by one address field may exempt together. */
    static final int ADDRESS_BLOCKS = 16;
    private static final int OTHERS_QUOTED = 5;

    /**
     * What the new rule and existing ones exempt together beyond the allowance, in words, or empty.
     * Only sets that include the new rule count: what existing rules covered before was forced already.
     */
    Optional<String> covered(RuleSpec added, List<NotrackRule> existing) {
        Set<Field> narrowing = breadth.narrowing(added);
        if (narrowing.size() != 1) {
            return Optional.empty();
        }
        Field field = narrowing.iterator().next();
        if (field == Field.IIF || field == Field.OIF) {
            return Optional.empty();
        }
        List<NotrackRule> all = new ArrayList<>(existing);
        all.add(new NotrackRule("(this rule)", added, null));
        for (Hook hook : added.hooks()) {
            for (IpFamily family : added.family().singles()) {
                for (Protocol protocol : new Protocol[] {null, Protocol.TCP, Protocol.UDP}) {
                    if (added.protocol() != protocol && !(added.protocol() == null && protocol != null)) {
                        continue;
                    }
                    List<NotrackRule> group = all.stream()
                            .filter(rule -> applies(rule.spec(), hook, family, protocol)
                                    && breadth.narrowing(rule.spec()).equals(narrowing)).toList();
                    String kind = (protocol == null ? "" : protocol.value() + " ") + family.value();
                    String where = hook == Hook.PREROUTING ? "arriving (PREROUTING)" : "sent (OUTPUT)";
                    Optional<String> covered = coveredBy(field, added, group, family, kind, where);
                    if (covered.isPresent()) {
                        return covered;
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The rule matches packets of this hook, family and protocol. */
    private static boolean applies(RuleSpec spec, Hook hook, IpFamily family, Protocol protocol) {
        return spec.hooks().contains(hook) && spec.family().singles().contains(family)
                && (spec.protocol() == null || spec.protocol() == protocol);
    }

    private Optional<String> coveredBy(Field field, RuleSpec added, List<NotrackRule> group, IpFamily family,
                                       String kind, String where) {
        List<BigInteger[]> intervals = new ArrayList<>();
        for (NotrackRule rule : group) {
            intervals.addAll(intervals(field, rule.spec()));
        }
        boolean addresses = field == Field.SRC || field == Field.DST;
        int bits = IpAddress.bits(family == IpFamily.IPV4 ? Family.IPV4 : Family.IPV6);
        BigInteger whole = addresses ? BigInteger.ZERO.setBit(bits) : BigInteger.valueOf(65535);
        BigInteger block = BigInteger.ZERO.setBit(bits - breadth.minPrefix(family));
        int ports = field == Field.SPORTS ? breadth.maxSourcePorts() : breadth.maxPorts();
        BigInteger allowance = addresses ? block.multiply(BigInteger.valueOf(ADDRESS_BLOCKS))
                : BigInteger.valueOf(ports);
        BigInteger size = size(intervals);
        if (size.compareTo(whole) < 0 && size.compareTo(allowance) <= 0) {
            return Optional.empty();
        }
        List<String> others = group.stream().filter(rule -> rule.spec() != added)
                .map(rule -> rule.id() + " (" + field.name + " " + value(field, rule.spec()) + ")").toList();
        String with = others.isEmpty() ? "this rule's " : "with the agent's rule(s) "
                + String.join(", ", others.subList(0, Math.min(others.size(), OTHERS_QUOTED)))
                + (others.size() > OTHERS_QUOTED ? " and " + (others.size() - OTHERS_QUOTED) + " more" : "")
                + ", this rule's ";
        if (size.compareTo(whole) >= 0) {
            return Optional.of("Set coverage: " + with + field.name + " " + value(field, added) + " completes every "
                    + (addresses ? "address" : "port") + ", so together they exempt every " + kind + " packet " + where
                    + " from connection tracking. Narrow this rule so that the rules leave part of the range out, "
                    + "or delete one of the others.");
        }
        String allowed = addresses ? ADDRESS_BLOCKS + " blocks of /" + breadth.minPrefix(family)
                + " (ctagent.notrack.min-prefix-" + (family == IpFamily.IPV4 ? "v4" : "v6") + ")"
                : field == Field.SPORTS ? ports + " source ports (ctagent.notrack.max-ports / 64)"
                : ports + " ports (ctagent.notrack.max-ports)";
        String covers = addresses ? size + " addresses (" + blocks(size, block) + " blocks of /"
                + breadth.minPrefix(family) + ")" : size + " ports";
        return Optional.of("Set coverage: " + with + field.name + " " + value(field, added) + " brings them to " + covers
                + ", more than the " + allowed + " that rules narrowed by " + field.name + " alone may exempt "
                + "together, so they exempt a broad share of the " + kind + " traffic " + where + " from connection "
                + "tracking. Narrow this rule so that together they stay within " + allowed
                + ", or delete some of the others.");
    }

    /** Whole blocks, rounded up: 1.5 /16s are 2 blocks' worth. */
    private static BigInteger blocks(BigInteger size, BigInteger block) {
        BigInteger[] quotient = size.divideAndRemainder(block);
        return quotient[1].signum() == 0 ? quotient[0] : quotient[0].add(BigInteger.ONE);
    }

    private static List<BigInteger[]> intervals(Field field, RuleSpec spec) {
        return switch (field) {
            case SRC -> List.<BigInteger[]>of(new BigInteger[] {spec.src().first(), spec.src().end()});
            case DST -> List.<BigInteger[]>of(new BigInteger[] {spec.dst().first(), spec.dst().end()});
            case SPORTS -> ports(spec.sports());
            case DPORTS -> ports(spec.dports());
            case IIF, OIF -> List.of();
        };
    }

    private static List<BigInteger[]> ports(Ports ports) {
        return ports.ranges().stream().map(range -> new BigInteger[] {BigInteger.valueOf(range.first()),
                BigInteger.valueOf(range.last() + 1L)}).toList();
    }

    private static Object value(Field field, RuleSpec spec) {
        Function<RuleSpec, Object> get = switch (field) {
            case SRC -> RuleSpec::src;
            case DST -> RuleSpec::dst;
            case SPORTS -> RuleSpec::sports;
            case DPORTS -> RuleSpec::dports;
            case IIF -> RuleSpec::iif;
            case OIF -> RuleSpec::oif;
        };
        return get.apply(spec);
    }

    /** How many values the union of the half-open intervals [first, end) holds, overlaps counted once. */
    static BigInteger size(List<BigInteger[]> intervals) {
        List<BigInteger[]> sorted = new ArrayList<>(intervals);
        sorted.sort(Comparator.comparing(interval -> interval[0]));
        BigInteger size = BigInteger.ZERO;
        BigInteger reached = null;
        for (BigInteger[] interval : sorted) {
            BigInteger from = reached == null ? interval[0] : interval[0].max(reached);
            if (interval[1].compareTo(from) > 0) {
                size = size.add(interval[1].subtract(from));
                reached = interval[1];
            }
        }
        return size;
    }
}
