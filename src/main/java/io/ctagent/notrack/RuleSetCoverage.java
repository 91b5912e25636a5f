package io.ctagent.notrack;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import io.ctagent.net.Family;
import io.ctagent.net.IpAddress;

/**
 * Breadth of the set: whether a new rule, together with the namespace's existing agent rules,
 * exempts a whole protocol or family in a direction. Rules that narrow the same one field (src,
 * dst, dports or sports) and nothing else add up: 0.0.0.0/1 and 128.0.0.0/1 are every IPv4
 * source, dports 1-32767 and 32768-65535 are every port. Rules with an interface never add up here.
 */
final class RuleSetCoverage {

    private static final BigInteger ZERO = BigInteger.ZERO;

    private RuleSetCoverage() {
    }

    /** A field a rule can narrow that rules may add up on. */
    private enum Field {
        SRC("src"), DST("dst"), SPORTS("sports"), DPORTS("dports");

        final String name;

        Field(String name) {
            this.name = name;
        }
    }

    /**
     * What the new rule and existing ones exempt completely together, in words, or empty. Only sets
     * that include the new rule count: what existing rules covered before was forced already.
     */
    static Optional<String> covered(RuleSpec added, List<NotrackRule> existing) {
        List<NotrackRule> all = new ArrayList<>(existing);
        all.add(new NotrackRule("(this rule)", added, null));
        for (Hook hook : added.hooks()) {
            for (IpFamily family : added.family().singles()) {
                for (Protocol protocol : new Protocol[] {null, Protocol.TCP, Protocol.UDP}) {
                    if (added.protocol() != protocol && !(added.protocol() == null && protocol != null)) {
                        continue;
                    }
                    List<NotrackRule> candidates = all.stream()
                            .filter(rule -> applies(rule.spec(), hook, family, protocol)).toList();
                    for (Field field : Field.values()) {
                        Optional<String> covered = coveredBy(field, added, candidates, family);
                        if (covered.isPresent()) {
                            return Optional.of("Set coverage: " + covered.get() + ", so together they exempt every "
                                    + (protocol == null ? "" : protocol.value() + " ") + family.value() + " packet "
                                    + (hook == Hook.PREROUTING ? "arriving (PREROUTING)" : "sent (OUTPUT)")
                                    + " from connection tracking. Narrow this rule so that the rules leave part of "
                                    + "the range out, or delete one of the others.");
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The rule matches packets of this hook, family and protocol on every interface. */
    private static boolean applies(RuleSpec spec, Hook hook, IpFamily family, Protocol protocol) {
        return spec.hooks().contains(hook) && spec.family().singles().contains(family) && spec.iif() == null
                && spec.oif() == null && (spec.protocol() == null || spec.protocol() == protocol);
    }

    private static Optional<String> coveredBy(Field field, RuleSpec added, List<NotrackRule> candidates,
                                              IpFamily family) {
        if (!onlyNarrows(added, field)) {
            return Optional.empty();
        }
        List<NotrackRule> group = candidates.stream().filter(rule -> onlyNarrows(rule.spec(), field)).toList();
        List<BigInteger[]> intervals = new ArrayList<>();
        for (NotrackRule rule : group) {
            intervals.addAll(intervals(field, rule.spec()));
        }
        BigInteger first = field == Field.SRC || field == Field.DST ? ZERO : BigInteger.ONE;
        BigInteger end = field == Field.SRC || field == Field.DST ? ZERO.setBit(
                IpAddress.bits(family == IpFamily.IPV4 ? Family.IPV4 : Family.IPV6))
                : BigInteger.valueOf(65536);
        if (!covers(intervals, first, end)) {
            return Optional.empty();
        }
        List<String> others = group.stream().filter(rule -> rule.spec() != added)
                .map(rule -> rule.id() + " (" + field.name + " " + value(field, rule.spec()) + ")").toList();
        return Optional.of((others.isEmpty() ? "this rule's " : "with the agent's rule(s) " + String.join(", ", others)
                + ", this rule's ") + field.name + " " + value(field, added) + " completes every "
                + (field == Field.SRC || field == Field.DST ? "address" : "port"));
    }

    /** The rule narrows exactly this one field (protocol, family and direction aside). */
    private static boolean onlyNarrows(RuleSpec spec, Field field) {
        return (spec.src() != null) == (field == Field.SRC) && (spec.dst() != null) == (field == Field.DST)
                && (spec.sports() != null) == (field == Field.SPORTS) && (spec.dports() != null) == (field == Field.DPORTS);
    }

    private static List<BigInteger[]> intervals(Field field, RuleSpec spec) {
        return switch (field) {
            case SRC -> List.<BigInteger[]>of(new BigInteger[] {spec.src().first(), spec.src().end()});
            case DST -> List.<BigInteger[]>of(new BigInteger[] {spec.dst().first(), spec.dst().end()});
            case SPORTS -> ports(spec.sports());
            case DPORTS -> ports(spec.dports());
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
        };
        return get.apply(spec);
    }

    /** Whether the union of the intervals holds all of [first, end). */
    static boolean covers(List<BigInteger[]> intervals, BigInteger first, BigInteger end) {
        List<BigInteger[]> sorted = new ArrayList<>(intervals);
        sorted.sort(Comparator.comparing(interval -> interval[0]));
        BigInteger reached = first;
        for (BigInteger[] interval : sorted) {
            if (interval[0].compareTo(reached) > 0) {
                return false;
            }
            reached = reached.max(interval[1]);
        }
        return reached.compareTo(end) >= 0;
    }
}
