package io.ctagent.entries;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.ctagent.net.Cidr;
import io.ctagent.net.Family;
import io.ctagent.problem.InvalidInput;

/**
 * The `conntrack -D` arguments that delete exactly the entries a filter matches. Only options whose
 * meaning equals the filter's are used (checked against conntrack-tools 1.4.7); a field conntrack
 * cannot express exactly is refused with a 400 naming it, never dropped (dropping would widen the
 * delete). Without a family, conntrack -D covers both families, as the filter does.
 */
final class DeleteCommand {

    private DeleteCommand() {
    }

    static List<String> args(EntryFilter filter) {
        if (filter.isEmpty()) {
            throw new InvalidInput("filter", "a flush needs a non-empty filter; to flush the whole table send "
                    + "{\"all\": true} with the header X-Confirm: flush-all");
        }
        List<String> args = new ArrayList<>(List.of("-D"));
        Family family = family(filter);
        if (family != null) {
            args.add("-f");
            args.add(family.text());
        }
        Integer protocol = filter.effectiveProtocol();
        if (protocol != null) {
            // Before --sport/--dport/--state: conntrack only knows those options once -p named the protocol.
            args.add("-p");
            args.add(Protocols.label(protocol));
        }
        if (filter.src() != null && filter.src().prefix() > 0) {
            args.add("-s");
            args.add(filter.src().toString());
        }
        if (filter.dst() != null && filter.dst().prefix() > 0) {
            args.add("-d");
            args.add(filter.dst().toString());
        }
        addReply(args, "-r", "replySrc", filter.replySrc());
        addReply(args, "-q", "replyDst", filter.replyDst());
        addPort(args, "--sport", "sport", filter.sport(), protocol);
        addPort(args, "--dport", "dport", filter.dport(), protocol);
        if (filter.state() != null) {
            args.add("--state");
            args.add(filter.state().name());
        }
        if (filter.zone() != null) {
            args.add("-w");
            args.add(filter.zone().toString());
        }
        if (filter.mark() != null) {
            args.add("-m");
            args.add(filter.mark().toString());
        }
        if (!filter.status().isEmpty()) {
            if (filter.status().contains(EntryStatus.UNREPLIED)) {
                throw new InvalidInput("status", "conntrack -D cannot select UNREPLIED entries (its -u only "
                        + "requires bits to be set); flush by protocol, address or port instead");
            }
            args.add("-u");
            args.add(String.join(",", filter.status().stream().sorted().map(Enum::name).toList()));
        }
        return List.copyOf(args);
    }

    /**
     * The family to pass with -f: the filter's, or the one a /0 network implies, since a /0 is left out
     * (it means "every address of that family", which is exactly what -f says).
     */
    private static Family family(EntryFilter filter) {
        if (filter.family() != null) {
            return filter.family();
        }
        for (Map.Entry<String, Cidr> address : filter.addresses().entrySet()) {
            if (address.getValue().prefix() == 0) {
                return address.getValue().family();
            }
        }
        return null;
    }

    private static void addReply(List<String> args, String option, String field, Cidr address) {
        if (address == null) {
            return;
        }
        if (address.prefix() == 0) {
            return;
        }
        if (!address.isSingleAddress()) {
            // conntrack 1.4.7: "CIDR notation unavailable for `--reply-src'".
            throw new InvalidInput(field, "conntrack -D matches " + field + " only as a single address, not a "
                    + "network like " + address + "; list the addresses, or filter by src/dst");
        }
        args.add(option);
        args.add(address.toString());
    }

    private static void addPort(List<String> args, String option, String field, Integer port, Integer protocol) {
        if (port == null) {
            return;
        }
        if (protocol == null || !Protocols.hasPorts(protocol)) {
            throw new InvalidInput(field, "conntrack -D matches " + field + " only together with a protocol that "
                    + "has ports: add protocol tcp, udp, udplite, sctp or dccp");
        }
        args.add(option);
        args.add(port.toString());
    }
}
