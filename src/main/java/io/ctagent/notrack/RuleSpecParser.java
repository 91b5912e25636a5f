package io.ctagent.notrack;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import io.ctagent.net.Cidr;
import io.ctagent.problem.InvalidInput;

/**
 * Turns a client's {@link NotrackRequest} into a {@link RuleSpec} of typed values, or fails with
 * a 400 naming the field. Pure: no host access. The state file is read back through here too,
 * so a hand-edited file cannot smuggle text onto a command line either.
 */
final class RuleSpecParser {

    static final int MAX_COMMENT = 128;
    /** iptables' multiport match takes at most 15 ports, a range counting two. */
    static final int MAX_PORT_SLOTS = 15;

    private static final Pattern COMMENT = Pattern.compile("[A-Za-z0-9 _.,:/@+=()-]*");
    private static final Pattern PORT = Pattern.compile("[1-9][0-9]{0,4}");

    private RuleSpecParser() {
    }

    static RuleSpec parse(NotrackRequest request) {
        if (request.unknownFields() != null && !request.unknownFields().isEmpty()) {
            String field = request.unknownFields().keySet().iterator().next();
            throw new InvalidInput(field, "'" + field + "' is not a field of a NOTRACK rule. Known fields: direction, "
                    + "family, protocol, dports, sports, iif, oif, src, dst, comment, dryRun, force.");
        }
        Direction direction = direction(request.direction());
        Protocol protocol = protocol(request.protocol());
        Ports dports = ports("dports", request.dports());
        Ports sports = ports("sports", request.sports());
        if (protocol == null && (dports != null || sports != null)) {
            throw new InvalidInput(dports != null ? "dports" : "sports",
                    "ports need a protocol: set protocol to tcp or udp");
        }
        String iif = iface("iif", request.iif());
        String oif = iface("oif", request.oif());
        if (iif != null && direction != Direction.PREROUTING) {
            throw new InvalidInput("iif", "an input interface exists only for arriving packets: set direction to "
                    + "PREROUTING, or leave iif out");
        }
        if (oif != null && direction != Direction.OUTPUT) {
            throw new InvalidInput("oif", "an output interface is only known for packets this host sends: set "
                    + "direction to OUTPUT, or leave oif out");
        }
        Cidr src = cidr("src", request.src());
        Cidr dst = cidr("dst", request.dst());
        IpFamily family = family(request.family(), src, dst);
        return new RuleSpec(direction, family, protocol, dports, sports, iif, oif, src, dst,
                comment(request.comment()));
    }

    private static Direction direction(String text) {
        if (text == null) {
            return Direction.BOTH;
        }
        return switch (text.toUpperCase(Locale.ROOT)) {
            case "PREROUTING" -> Direction.PREROUTING;
            case "OUTPUT" -> Direction.OUTPUT;
            case "BOTH" -> Direction.BOTH;
            default -> throw new InvalidInput("direction", "direction must be PREROUTING, OUTPUT or BOTH");
        };
    }

    private static Protocol protocol(String text) {
        if (text == null) {
            return null;
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "tcp" -> Protocol.TCP;
            case "udp" -> Protocol.UDP;
            default -> throw new InvalidInput("protocol", "protocol must be tcp or udp");
        };
    }

    private static IpFamily family(String text, Cidr src, Cidr dst) {
        if (src != null && dst != null && src.family() != dst.family()) {
            throw new InvalidInput("dst", "src is " + src.family().text() + " but dst is " + dst.family().text()
                    + "; a rule matches one family at a time");
        }
        Cidr address = src != null ? src : dst;
        String field = src != null ? "src" : "dst";
        if (text == null) {
            return address == null ? IpFamily.BOTH : IpFamily.of(address.family());
        }
        IpFamily family = switch (text.toLowerCase(Locale.ROOT)) {
            case "ipv4" -> IpFamily.IPV4;
            case "ipv6" -> IpFamily.IPV6;
            case "both" -> IpFamily.BOTH;
            default -> throw new InvalidInput("family", "family must be ipv4, ipv6 or both");
        };
        if (address != null && family == IpFamily.BOTH) {
            throw new InvalidInput("family", "an address belongs to one family: set family to "
                    + address.family().text() + " or leave it out");
        }
        if (address != null && IpFamily.of(address.family()) != family) {
            throw new InvalidInput(field, field + " is an " + address.family().text() + " network but family is "
                    + family.value());
        }
        return family;
    }

    private static Ports ports(String field, Object value) {
        if (value == null) {
            return null;
        }
        List<PortRange> ranges = new ArrayList<>();
        if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                throw new InvalidInput(field, field + " is an empty list; leave it out to match any port");
            }
            for (Object item : list) {
                if (item instanceof String text && text.contains(",")) {
                    throw new InvalidInput(field, field + " list items are single ports or ranges, not lists");
                }
                ranges.addAll(portItems(field, item));
            }
        } else {
            ranges.addAll(portItems(field, value));
        }
        Ports ports = new Ports(ranges);
        if (ports.multiportSlots() > MAX_PORT_SLOTS) {
            throw new InvalidInput(field, field + " has more than " + MAX_PORT_SLOTS + " ports (a range counts two); "
                    + "split the rule");
        }
        return ports;
    }

    private static List<PortRange> portItems(String field, Object item) {
        String text;
        if (item instanceof Integer || item instanceof Long || item instanceof Short) {
            text = item.toString();
        } else if (item instanceof String string) {
            text = string;
        } else {
            throw new InvalidInput(field, field + " must be a port, a range like 1000-2000 or a list of them");
        }
        List<PortRange> ranges = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            ranges.add(range(field, part.strip()));
        }
        return ranges;
    }

    private static PortRange range(String field, String text) {
        String[] ends = text.split("-", -1);
        if (ends.length > 2 || !PORT.matcher(ends[0]).matches()
                || (ends.length == 2 && !PORT.matcher(ends[1]).matches())) {
            throw new InvalidInput(field, "'" + text + "' in " + field + " is not a port (1-65535) or a range like "
                    + "1000-2000");
        }
        int first = Integer.parseInt(ends[0]);
        int last = ends.length == 2 ? Integer.parseInt(ends[1]) : first;
        if (last > 65535 || first > 65535) {
            throw new InvalidInput(field, "'" + text + "' in " + field + " is outside 1-65535");
        }
        if (first > last) {
            throw new InvalidInput(field, "the range '" + text + "' in " + field + " is not ordered; write "
                    + last + "-" + first);
        }
        return new PortRange(first, last);
    }

    /**
     * Interface names as the kernel allows them (dev_valid_name): 1-15 bytes, not "." or "..",
     * no '/', ':' or whitespace; we also refuse quotes, backslashes and '*' because they change
     * the meaning of an nft string. A trailing '+' is the iptables prefix wildcard.
     */
    static String iface(String field, String name) {
        if (name == null) {
            return null;
        }
        if (name.isEmpty() || name.length() > 15) {
            throw new InvalidInput(field, field + " must be an interface name of 1 to 15 characters");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new InvalidInput(field, field + " cannot be '.' or '..'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean printable = c > 0x20 && c < 0x7f;
            if (!printable || "/:\"'`\\*".indexOf(c) >= 0 || (c == '+' && i != name.length() - 1)) {
                throw new InvalidInput(field, field + " '" + name + "' is not an interface name: no '/', ':', "
                        + "whitespace, quotes, '\\' or '*'; '+' only at the end as a prefix wildcard");
            }
        }
        if (name.equals("+")) {
            throw new InvalidInput(field, "'+' alone matches every interface; leave " + field + " out instead");
        }
        return name;
    }

    /** A NOTRACK rule's network: any strict CIDR but a /0, which would exempt every address. */
    static Cidr cidr(String field, String text) {
        if (text == null) {
            return null;
        }
        Cidr cidr = Cidr.parse(field, text);
        if (cidr.prefix() == 0) {
            throw new InvalidInput(field, field + ": a /0 network matches every address; leave the field out "
                    + "instead");
        }
        return cidr;
    }

    private static String comment(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.length() > MAX_COMMENT || !COMMENT.matcher(text).matches()) {
            throw new InvalidInput("comment", "comment must be at most " + MAX_COMMENT + " characters of letters, "
                    + "digits, space and _ . , : / @ + = ( ) -");
        }
        return text;
    }
}
