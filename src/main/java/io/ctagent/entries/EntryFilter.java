package io.ctagent.entries;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.ctagent.net.Cidr;
import io.ctagent.net.Family;
import io.ctagent.problem.InvalidInput;

/**
 * Which entries a listing, a summary or a flush is about: typed values only, every one parsed strictly
 * from client text. All given fields must match; null fields match anything. The same filter drives
 * the listing, the summary, the dry-run count and (through {@link DeleteCommand}) conntrack -D.
 *
 * @param protocol a layer-4 protocol number, or null
 * @param state a TCP state; it implies protocol tcp
 * @param sport an original source port; it matches only entries that have ports
 */
public record EntryFilter(Family family, Integer protocol, TcpState state, Cidr src, Cidr dst, Cidr replySrc,
                          Cidr replyDst, Integer sport, Integer dport, Integer zone, MarkMatch mark,
                          Set<EntryStatus> status) {

    static final EntryFilter ALL = new EntryFilter(null, null, null, null, null, null, null, null, null, null,
            null, Set.of());

    /** Parses every given field, refusing empty values, unknown fields and combinations that cannot match. */
    static EntryFilter parse(FilterParams params) {
        if (!params.unknown().isEmpty()) {
            String field = params.unknown().keySet().iterator().next();
            throw new InvalidInput(field, "unknown filter field '" + field + "'; filter fields are "
                    + String.join(", ", FilterParams.NAMES));
        }
        params.given().forEach((field, value) -> {
            if (value.isBlank()) {
                throw new InvalidInput(field, field + " is empty; leave it out to match any value");
            }
        });
        Family family = params.family() == null ? null : Family.parse("family", params.family());
        Integer protocol = params.protocol() == null ? null : Protocols.parse("protocol", params.protocol());
        TcpState state = params.state() == null ? null : TcpState.parse("state", params.state());
        Cidr src = params.src() == null ? null : Cidr.parse("src", params.src());
        Cidr dst = params.dst() == null ? null : Cidr.parse("dst", params.dst());
        Cidr replySrc = params.replySrc() == null ? null : Cidr.parse("replySrc", params.replySrc());
        Cidr replyDst = params.replyDst() == null ? null : Cidr.parse("replyDst", params.replyDst());
        Integer sport = params.sport() == null ? null : Numbers.parse("sport", params.sport(), 1, 65535);
        Integer dport = params.dport() == null ? null : Numbers.parse("dport", params.dport(), 1, 65535);
        Integer zone = params.zone() == null ? null : Numbers.parse("zone", params.zone(), 0, 65535);
        MarkMatch mark = params.mark() == null ? null : MarkMatch.parse("mark", params.mark());
        Set<EntryStatus> status = EnumSet.noneOf(EntryStatus.class);
        if (params.status() != null) {
            for (String bit : params.status().split(",", -1)) {
                status.add(EntryStatus.parse("status", bit.strip()));
            }
        }
        EntryFilter filter = new EntryFilter(family, protocol, state, src, dst, replySrc, replyDst, sport, dport,
                zone, mark, Set.copyOf(status));
        filter.checkConsistent();
        return filter;
    }

    /** Refuses filters that could match nothing by construction: they are almost always a typo. */
    private void checkConsistent() {
        Family seen = family;
        String seenField = "family";
        for (Map.Entry<String, Cidr> address : addresses().entrySet()) {
            Family other = address.getValue().family();
            if (seen != null && other != seen) {
                throw new InvalidInput(address.getKey(), address.getKey() + " is " + other.text() + " but "
                        + seenField + " is " + seen.text());
            }
            seen = other;
            seenField = address.getKey();
        }
        if (protocol != null && seen != null && (protocol == Protocols.ICMP && seen == Family.IPV6
                || protocol == Protocols.ICMPV6 && seen == Family.IPV4)) {
            throw new InvalidInput("protocol", Protocols.label(protocol) + " does not exist in " + seen.text());
        }
        if (state != null && protocol != null && protocol != Protocols.TCP) {
            throw new InvalidInput("state", "state is a TCP state but protocol is " + Protocols.label(protocol));
        }
        for (String port : new String[] {"sport", "dport"}) {
            if ((port.equals("sport") ? sport : dport) != null && protocol != null
                    && !Protocols.hasPorts(protocol)) {
                throw new InvalidInput(port, Protocols.label(protocol) + " entries have no ports; " + port
                        + " applies to tcp, udp, udplite, sctp and dccp");
            }
        }
        if (status.contains(EntryStatus.SEEN_REPLY) && status.contains(EntryStatus.UNREPLIED)) {
            throw new InvalidInput("status", "an entry cannot be both SEEN_REPLY and UNREPLIED");
        }
    }

    /** The address fields that are set, by name. */
    Map<String, Cidr> addresses() {
        Map<String, Cidr> addresses = new LinkedHashMap<>();
        if (src != null) {
            addresses.put("src", src);
        }
        if (dst != null) {
            addresses.put("dst", dst);
        }
        if (replySrc != null) {
            addresses.put("replySrc", replySrc);
        }
        if (replyDst != null) {
            addresses.put("replyDst", replyDst);
        }
        return addresses;
    }

    /** What of each line this filter reads: addresses only when it matches on them, and so on. */
    ParseScope scope() {
        return new ParseScope(src != null || dst != null || replySrc != null || replyDst != null,
                replySrc != null || replyDst != null || zone != null || mark != null || !status.isEmpty());
    }

    boolean isEmpty() {
        return describe().isEmpty();
    }

    /** The protocol the filter pins down, if any: given, or implied by a TCP state. */
    Integer effectiveProtocol() {
        return protocol != null ? protocol : state != null ? Integer.valueOf(Protocols.TCP) : null;
    }

    boolean matches(EntryLine e) {
        if (family != null && e.family != family) {
            return false;
        }
        if (protocol != null && e.protocol != protocol) {
            return false;
        }
        if (state != null && (e.protocol != Protocols.TCP || e.state != StateNames.of(state))) {
            return false;
        }
        if (src != null && !src.contains(e.family, e.original.srcHi, e.original.srcLo)
                || dst != null && !dst.contains(e.family, e.original.dstHi, e.original.dstLo)
                || replySrc != null && !replySrc.contains(e.family, e.reply.srcHi, e.reply.srcLo)
                || replyDst != null && !replyDst.contains(e.family, e.reply.dstHi, e.reply.dstLo)) {
            return false;
        }
        if (sport != null && e.original.sport != sport || dport != null && e.original.dport != dport) {
            return false;
        }
        if (zone != null && e.zone != zone || mark != null && !mark.matches(e.mark)) {
            return false;
        }
        for (EntryStatus bit : status) {
            if (!bit.holds(e)) {
                return false;
            }
        }
        return true;
    }

    /** The filter in canonical text, for responses, cursors and the audit log. */
    Map<String, String> describe() {
        Map<String, String> text = new LinkedHashMap<>();
        if (family != null) {
            text.put("family", family.text());
        }
        if (protocol != null) {
            text.put("protocol", Protocols.label(protocol));
        }
        if (state != null) {
            text.put("state", state.name());
        }
        addresses().forEach((field, cidr) -> text.put(field, cidr.toString()));
        if (sport != null) {
            text.put("sport", sport.toString());
        }
        if (dport != null) {
            text.put("dport", dport.toString());
        }
        if (zone != null) {
            text.put("zone", zone.toString());
        }
        if (mark != null) {
            text.put("mark", mark.toString());
        }
        if (!status.isEmpty()) {
            text.put("status", String.join(",", EnumSet.copyOf(status).stream().map(Enum::name).toList()));
        }
        return text;
    }
}
