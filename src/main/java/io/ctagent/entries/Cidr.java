package io.ctagent.entries;

import io.ctagent.problem.InvalidInput;

/** An address or a network (address/prefix) that a filter matches entry addresses against. */
public record Cidr(IpAddress network, int prefix) {

    /** "10.0.0.0/8", "2001:db8::/32" or a single address; host bits set after the prefix are refused. */
    static Cidr parse(String field, String text) {
        int slash = text.indexOf('/');
        IpAddress address = IpAddress.parse(field, slash < 0 ? text : text.substring(0, slash));
        int bits = IpAddress.bits(address.family());
        if (slash < 0) {
            return new Cidr(address, bits);
        }
        long prefix = Numbers.decimal(text.substring(slash + 1), bits);
        if (prefix < 0) {
            throw new InvalidInput(field, field + " '" + text + "' needs a prefix length from 0 to " + bits
                    + " after the /");
        }
        Cidr cidr = new Cidr(address, (int) prefix);
        if ((address.hi() & ~cidr.maskHi()) != 0 || (address.lo() & ~cidr.maskLo()) != 0) {
            IpAddress network = new IpAddress(address.family(), address.hi() & cidr.maskHi(),
                    address.lo() & cidr.maskLo());
            throw new InvalidInput(field, field + " '" + text + "' has bits set after the /" + prefix
                    + " prefix; the network is " + network + "/" + prefix);
        }
        return cidr;
    }

    Family family() {
        return network.family();
    }

    boolean isSingleAddress() {
        return prefix == IpAddress.bits(network.family());
    }

    boolean contains(Family family, long hi, long lo) {
        return family == network.family() && (hi & maskHi()) == network.hi() && (lo & maskLo()) == network.lo();
    }

    private long maskHi() {
        if (network.family() == Family.IPV4) {
            return 0;
        }
        return prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
    }

    private long maskLo() {
        if (network.family() == Family.IPV4) {
            return prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
        }
        return prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
    }

    @Override
    public String toString() {
        return isSingleAddress() ? network.toString() : network + "/" + prefix;
    }
}
